import { OpenRerankError } from "../errors/catalog.js";

/** The field ranked when the caller names none (Cohere v1's default `rank_fields`). */
export const defaultRankFields: readonly string[] = ["text"];

/**
 * The text a model ranks for one document.
 *
 * - A string is ranked as it is.
 * - An object is ranked by its `rankFields`: with the single field `text`, just that value;
 *   otherwise `key: value` lines in `rankFields` order (the YAML-like form Cohere recommends
 *   for structured data), so the model sees which value is the title and which the body.
 *   Strings are written as they are, other scalars stringified, objects and arrays as JSON.
 *   A field that is missing or null on a document is left out; a document with none of the
 *   fields is an error, because ranking it would rank an empty text.
 *
 * @param index position in the caller's list, for the error message.
 * @throws OpenRerankError `invalid_document` for a value that is neither a string nor an
 *   object, or an object without any of the ranked fields.
 */
export function documentText(document: unknown, rankFields: readonly string[], index: number): string {
  if (typeof document === "string") return document;
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    const kind = document === null ? "null" : Array.isArray(document) ? "an array" : typeof document;
    throw new OpenRerankError("invalid_document", `invalid request: document at index ${index} must be a string or an object, got ${kind}`, {
      field: `documents[${index}]`,
      index,
    });
  }
  const record = document as Record<string, unknown>;
  const present = rankFields.filter((field) => record[field] !== undefined && record[field] !== null);
  if (present.length === 0) {
    const named = rankFields.map((field) => `'${field}'`).join(", ");
    throw new OpenRerankError(
      "invalid_document",
      `invalid request: document at index ${index} has none of the rank fields (${named}); add ${rankFields.length === 1 ? "the field" : "one of them"} or change rank_fields`,
      { field: `documents[${index}]`, index, rankFields },
    );
  }
  if (rankFields.length === 1) return fieldValueText(record[present[0]]);
  return present.map((field) => `${field}: ${fieldValueText(record[field])}`).join("\n");
}

function fieldValueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
