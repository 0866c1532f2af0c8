/**
 * The one catalog of openrerank errors. Every failure the library, CLI or server can report
 * has a stable `code` here with its HTTP status; the server maps errors to responses from
 * this table alone, so a status is never decided in a route handler.
 */
export const errorCatalog = {
  // Caller mistakes: invalid or unprocessable input.
  invalid_request: { status: 400, summary: "The request is malformed or a field is invalid." },
  empty_query: { status: 400, summary: "The query is empty or only whitespace." },
  empty_documents: { status: 400, summary: "The list of documents is empty." },
  empty_document: { status: 400, summary: "A document is empty." },
  invalid_document: { status: 400, summary: "A document is neither a string nor an object with the ranked fields." },
  too_many_documents: { status: 400, summary: "More documents than the configured maximum." },
  too_many_chunks: { status: 400, summary: "documents × max_chunks_per_doc exceeds the limit." },
  invalid_top_n: { status: 400, summary: "top_n is not a positive integer." },
  invalid_rank_fields: { status: 400, summary: "rank_fields is empty or names fields no document has." },
  unsupported_media_type: { status: 415, summary: "The body is not application/json." },
  payload_too_large: { status: 413, summary: "The request body exceeds the configured size limit." },
  headers_too_large: { status: 431, summary: "The request's headers exceed the HTTP server's header size limit." },
  request_too_large: { status: 413, summary: "The request needs more scored windows or model tokens than one request may." },
  unauthorized: { status: 401, summary: "The API key is missing or wrong." },
  model_not_found: { status: 404, summary: "The requested model is not served or could not be found." },
  invalid_option: { status: 400, summary: "A configuration option or flag has an invalid value." },
  invalid_dataset: { status: 400, summary: "An evaluation dataset or run file is malformed." },
  malformed_json: { status: 400, summary: "The body is not valid JSON." },
  model_required: { status: 400, summary: "Several models are served and the request names none." },
  route_not_found: { status: 404, summary: "No endpoint answers this method and path." },

  // Capacity and time.
  queue_full: { status: 429, summary: "The scoring queue is full; retry after the given delay." },
  client_timeout: { status: 408, summary: "The client did not send its complete request within the HTTP server's timeout." },
  request_timeout: { status: 504, summary: "The request did not finish within the configured timeout." },
  request_cancelled: { status: 499, summary: "The caller cancelled the request." },
  shutting_down: { status: 503, summary: "The server is draining and accepts no new work." },
  models_loading: { status: 503, summary: "The server is up but its models are still loading; retry shortly." },
  model_unavailable: { status: 503, summary: "The model's worker stopped and is being restarted; retry after the given delay." },

  // Model files and inference.
  model_load_failed: { status: 500, summary: "A model's files exist but could not be loaded." },
  model_download_failed: { status: 502, summary: "Downloading a model from the hub failed." },
  invalid_score: { status: 500, summary: "The model produced a NaN or infinite score." },
  inference_failed: { status: 500, summary: "The model runtime failed or returned output of the wrong shape while scoring." },
  backend_failed: { status: 502, summary: "The upstream model service a backend calls failed or answered something unusable." },
  internal: { status: 500, summary: "An unexpected internal error." },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** Statuses the catalog can answer, in ascending order (the OpenAPI document lists them from here). */
export function catalogStatuses(codes: readonly ErrorCode[] = Object.keys(errorCatalog) as ErrorCode[]): number[] {
  return [...new Set(codes.map((code) => errorCatalog[code].status))].sort((a, b) => a - b);
}

/** Marks openrerank errors across copies of the package and worker boundaries, where `instanceof` fails. */
const errorMarker = Symbol.for("openrerank.error");

/**
 * An error with a stable code, a message that says what happened, with which value, what is
 * allowed and how to fix it, and structured details (field names, limits) for API bodies.
 */
export class OpenRerankError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  readonly [errorMarker] = true;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OpenRerankError";
    this.code = code;
    this.details = details;
  }
}

export function isOpenRerankError(value: unknown): value is OpenRerankError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[errorMarker] === true;
}
