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
 *   Key order matters: when the text is cut to the token limit, trailing keys go first.
 *   Strings are written as they are and other scalars stringified; nested objects flatten to
 *   dotted keys (`author.name: Ada`), lists of scalars to one line (`tags: a, b`), lists of
 *   objects to indexed keys (`items[0].sku: X1`).
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
  if (rankFields.length === 1 && !isNested(record[present[0]])) return String(record[present[0]]);
  return present.flatMap((field) => flattenedLines(field, record[field])).join("\n");
}

function isNested(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function flattenedLines(key: string, value: unknown): string[] {
  if (Array.isArray(value)) {
    if (!value.some(isNested)) return [`${key}: ${value.map(String).join(", ")}`];
    return value.flatMap((item, index) => flattenedLines(`${key}[${index}]`, item));
  }
  if (isNested(value)) return Object.entries(value).flatMap(([child, childValue]) => (childValue === null || childValue === undefined ? [] : flattenedLines(`${key}.${child}`, childValue)));
  return [`${key}: ${String(value)}`];
}
