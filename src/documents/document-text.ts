import { OpenRerankError } from "../errors/catalog.js";

/** The field ranked when the caller names none (Cohere v1's default `rank_fields`). */
export const defaultRankFields: readonly string[] = ["text"];

/**
 * How deeply a document's ranked fields may nest objects and lists, the document itself
 * counting as the first level (`{ "meta": { "author": { "name": "Ada" } } }` nests 3 deep).
 * Deeper is `invalid_document`: no real record needs more, and flattening stays bounded.
 */
export const maxDocumentDepth = 32;

export interface DocumentTextOptions {
  /**
   * Rank fields must hold strings (Cohere v2's `{ text }` documents); anything else is
   * `invalid_document`. Default false: numbers, booleans, objects and lists are ranked too,
   * flattened as `documentText` describes.
   */
  stringFields?: boolean;
}

/**
 * The text a model ranks for one document.
 *
 * - A string is ranked as it is.
 * - An object is ranked by its `rankFields` (own properties only: `constructor` or
 *   `toString` name nothing an object inherits): with one field, just that value; otherwise
 *   `key: value` lines in `rankFields` order (the YAML-like form Cohere recommends for
 *   structured data), so the model sees which value is the title and which the body.
 *   Key order matters: when the text is cut to the token limit, trailing keys go first.
 *   Strings are written as they are and other scalars stringified; nested objects flatten to
 *   dotted keys (`author.name: Ada`), lists of scalars to one line (`tags: a, b`), lists of
 *   objects to indexed keys (`items[0].sku: X1`). Objects and lists may nest at most
 *   `maxDocumentDepth` levels.
 *   A field that is missing or null on a document is left out; a document with none of the
 *   fields is an error, because ranking it would rank an empty text. Ranked fields that hold
 *   no text at all (only empty strings, lists or objects) make an empty text, which the
 *   caller's emptiness check reports.
 *
 * @param index position in the caller's list, for the error message.
 * @throws OpenRerankError `invalid_document` for a value that is neither a string nor an
 *   object, an object without any of the ranked fields, a ranked field nested deeper than
 *   `maxDocumentDepth`, or (with `stringFields`) a ranked field that is not a string; the
 *   error's `field` is the path of the offending value (`documents[0].meta.author`).
 */
export function documentText(document: unknown, rankFields: readonly string[], index: number, options: DocumentTextOptions = {}): string {
  if (typeof document === "string") return document;
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    const kind = document === null ? "null" : Array.isArray(document) ? "an array" : typeof document;
    throw new OpenRerankError("invalid_document", `document at index ${index} must be a string or an object, got ${kind}`, {
      field: `documents[${index}]`,
      index,
    });
  }
  const record = document as Record<string, unknown>;
  const present = rankFields.filter((field) => Object.hasOwn(record, field) && record[field] !== undefined && record[field] !== null);
  if (present.length === 0) {
    const named = rankFields.map((field) => `'${field}'`).join(", ");
    throw new OpenRerankError(
      "invalid_document",
      `document at index ${index} has none of the rank fields (${named}); add ${rankFields.length === 1 ? "the field" : "one of them"} or change rank_fields`,
      { field: `documents[${index}]`, index, rankFields },
    );
  }
  if (options.stringFields) {
    for (const field of present) {
      const value = record[field];
      if (typeof value !== "string") {
        const path = documentPath(index, [field]);
        throw new OpenRerankError("invalid_document", `${path} must be a string, got ${describeValue(value)}; an object document is ranked by its ${field} field, which must hold the text`, {
          field: path,
          index,
        });
      }
    }
  }
  if (rankFields.length === 1 && !isNested(record[present[0]])) return String(record[present[0]]);
  return flattenedText(record, present, index);
}

function isNested(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** A value still to be written: its key in the ranked text and, for errors, where it sits. */
interface Pending {
  key: string;
  value: unknown;
  /** Objects and lists enclosing the value, the document included. */
  depth: number;
  parent: Pending | undefined;
  segment: string | number;
}

/**
 * The ranked fields as `key: value` lines, depth first in key order. Iterative, so a document
 * nested thousands of levels deep is a 400 naming where it passes the limit, not a stack
 * overflow. Returns "" when the fields hold no text at all.
 */
function flattenedText(record: Record<string, unknown>, present: readonly string[], index: number): string {
  const lines: string[] = [];
  let holdsText = false;
  const stack: Pending[] = [];
  for (let i = present.length - 1; i >= 0; i--) stack.push({ key: present[i], value: record[present[i]], depth: 1, parent: undefined, segment: present[i] });
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { key, value, depth } = next;
    if (!isNested(value)) {
      lines.push(`${key}: ${String(value)}`);
      holdsText ||= isText(value);
      continue;
    }
    if (depth >= maxDocumentDepth) throw tooDeep(next, index);
    if (Array.isArray(value)) {
      if (!value.some(isNested)) {
        lines.push(`${key}: ${value.map(String).join(", ")}`);
        holdsText ||= value.some(isText);
        continue;
      }
      for (let item = value.length - 1; item >= 0; item--) stack.push({ key: `${key}[${item}]`, value: value[item], depth: depth + 1, parent: next, segment: item });
      continue;
    }
    const entries = Object.entries(value);
    for (let entry = entries.length - 1; entry >= 0; entry--) {
      const [child, childValue] = entries[entry];
      if (childValue !== null && childValue !== undefined) stack.push({ key: `${key}.${child}`, value: childValue, depth: depth + 1, parent: next, segment: child });
    }
  }
  return holdsText ? lines.join("\n") : "";
}

/** A value that puts text in front of the model: not an empty or blank string, not null. */
function isText(value: unknown): boolean {
  return typeof value === "string" ? value.trim().length > 0 : typeof value === "number" || typeof value === "boolean";
}

function tooDeep(pending: Pending, index: number): OpenRerankError {
  const segments: (string | number)[] = [];
  for (let node: Pending | undefined = pending; node !== undefined; node = node.parent) segments.push(node.segment);
  const path = documentPath(index, segments.reverse());
  return new OpenRerankError(
    "invalid_document",
    `document at index ${index} nests objects and lists deeper than ${maxDocumentDepth} levels, at ${path}; flatten the document to at most ${maxDocumentDepth} levels, or rank shallower fields`,
    { field: path, index, limit: maxDocumentDepth },
  );
}

/** `documents[0].meta["odd key"][2]`: identifier-like keys dotted, other keys quoted, long keys shortened. */
function documentPath(index: number, segments: readonly (string | number)[]): string {
  return `documents[${index}]${segments.map(pathSegment).join("")}`;
}

function pathSegment(segment: string | number): string {
  if (typeof segment === "number") return `[${segment}]`;
  const shown = segment.length > 40 ? `${segment.slice(0, 40)}…` : segment;
  return /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${shown}` : `[${JSON.stringify(shown)}]`;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (isNested(value)) return "an object";
  return typeof value === "number" || typeof value === "boolean" ? String(value) : typeof value;
}
