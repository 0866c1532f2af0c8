import { OpenRerankError, type ErrorCode } from "../errors/catalog.js";

/** One problem with a call's input: where (`documents[3]`, `topN`), its stable code, and what is wrong. */
export interface InputIssue {
  path: string;
  code: ErrorCode;
  message: string;
}

/** An input error carrying its issue, the shape every validation failure has (zod's lesson). */
export function invalidInput(code: ErrorCode, path: string, message: string, facts: Record<string, unknown> = {}): OpenRerankError {
  return new OpenRerankError(code, message, { ...facts, issues: [{ path, code, message }] satisfies InputIssue[] });
}

/**
 * Checks a rerank call's query and documents once, before any backend sees them, so the
 * library, CLI and server reject the same inputs the same way (with Cohere's sentences, which
 * name no wire field).
 */
export function validateRerankInput(query: unknown, documents: unknown): asserts documents is string[] {
  if (typeof query !== "string" || query.trim().length === 0) {
    throw invalidInput("empty_query", "query", "query must not be empty or be only whitespace");
  }
  if (!Array.isArray(documents)) {
    throw invalidInput("invalid_request", "documents", "documents must be a list of strings");
  }
  if (documents.length === 0) {
    throw invalidInput("empty_documents", "documents", "list of documents must not be empty");
  }
  documents.forEach((document: unknown, index) => {
    if (typeof document !== "string") {
      throw invalidInput("invalid_document", `documents[${index}]`, `document at index ${index} must be a string, got ${document === null ? "null" : typeof document}`, { index });
    }
    if (document.trim().length === 0) {
      throw invalidInput("empty_document", `documents[${index}]`, `document at index ${index} cannot be empty`, { index });
    }
  });
}

/** Checks a caller's topN: a positive integer (a value above the document count returns everything). */
export function validateTopN(topN: unknown): number | undefined {
  return validatePositiveInteger(topN, "topN", "invalid_top_n");
}

/** An optional positive-integer option; the error names the option and the value given. */
export function validatePositiveInteger(value: unknown, option: string, code: ErrorCode = "invalid_request"): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw invalidInput(code, option, `${option} must be a positive integer, got ${JSON.stringify(value)}`, { value });
  }
  return value;
}

/** An optional whole-number option that may be 0. */
export function validateNonNegativeInteger(value: unknown, option: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw invalidInput("invalid_request", option, `${option} must be a whole number >= 0, got ${JSON.stringify(value)}`, { value });
  }
  return value;
}
