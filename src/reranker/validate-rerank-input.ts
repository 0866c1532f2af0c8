import { OpenRerankError } from "../errors/catalog.js";

/**
 * Checks a rerank call's query and documents, with Cohere's wording, so the library, CLI and
 * server reject the same inputs the same way.
 */
export function validateRerankInput(query: unknown, documents: unknown): asserts documents is string[] {
  if (typeof query !== "string" || query.trim().length === 0) {
    throw new OpenRerankError("empty_query", "invalid request: query must not be empty or be only whitespace", { field: "query" });
  }
  if (!Array.isArray(documents)) {
    throw new OpenRerankError("invalid_request", "invalid request: documents must be a list of strings", { field: "documents" });
  }
  if (documents.length === 0) {
    throw new OpenRerankError("empty_documents", "invalid request: list of documents must not be empty", { field: "documents" });
  }
  documents.forEach((document: unknown, index) => {
    if (typeof document !== "string") {
      throw new OpenRerankError("invalid_document", `invalid request: document at index ${index} must be a string, got ${document === null ? "null" : typeof document}`, { field: `documents[${index}]`, index });
    }
    if (document.trim().length === 0) {
      throw new OpenRerankError("empty_document", `invalid request: document at index ${index} cannot be empty`, { field: `documents[${index}]`, index });
    }
  });
}
