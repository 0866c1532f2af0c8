import { randomUUID } from "node:crypto";
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorCatalog, isOpenRerankError, OpenRerankError, type ErrorCode } from "../errors/catalog.js";
import { emptyBodyError } from "./json-body-parser.js";
import type { ErrorBody } from "./wire/error-body.js";
import { toWireNames } from "./wire/field-names.js";
import { schemaIssues, type AjvErrorLike, type SchemaIssue } from "./wire/schema-issue.js";
import "./route-config.js";

/** An error turned into everything a response needs. */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * The one place errors become HTTP responses: catalog errors keep their code and status,
 * Fastify's own errors (schema, content type, body size) are translated to catalog codes,
 * and anything else is a bug: logged in full, answered with a generic 500 and the request id.
 * Errors raised before a route runs (a malformed URL, see `frameworkErrorHandler`) and by
 * Node's HTTP parser (see `answerClientError`) get the same body shape.
 */
export function registerErrorHandler(app: FastifyInstance, limits: { bodyLimitBytes: number }): void {
  app.setErrorHandler((error, request, reply) => {
    // A body sent to a path no endpoint answers is not worth a complaint about its JSON or its type: the path is the mistake.
    const { status, body, headers } = errorReply(request.is404 && isBodyError(error) ? routeNotFound(request) : error, request, limits);
    if (status >= 500 && status !== 503 && status !== 504) request.log.error({ err: error, code: body.code }, "request failed");
    else request.log.info({ code: body.code, status }, body.message);
    return reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body, headers } = errorReply(routeNotFound(request), request, limits);
    return reply.code(status).headers(headers).send(body);
  });
}

function routeNotFound(request: FastifyRequest): OpenRerankError {
  return new OpenRerankError("route_not_found", `no endpoint answers ${request.method} ${shownPath(request.url)}; the API is described at GET /openapi.json`, { method: request.method });
}

/** An error from reading or parsing the body (Fastify's content-type errors, or the JSON parser's). */
function isBodyError(error: unknown): boolean {
  if (isOpenRerankError(error)) return error.code === "malformed_json";
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("FST_ERR_CTP_");
}

/**
 * Fastify's `frameworkErrors`: errors found before routing, answered in the catalog's shape
 * instead of Fastify's `{ error, code, statusCode }`. A malformed URL (`/v2/%zz`) is the one
 * a client can cause. The request never reached the `onRequest` hooks, so `track` stands in
 * for them (request id header, metrics).
 */
export function frameworkErrorHandler(
  limits: { bodyLimitBytes: number },
  track: (request: FastifyRequest, reply: FastifyReply) => void,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    track(request, reply);
    const { status, body, headers } = errorReply(error, request, limits);
    if (status >= 500) request.log.error({ err: error, code: body.code }, "request failed");
    else request.log.info({ code: body.code, status }, body.message);
    void reply.code(status).headers(headers).send(body);
  };
}

/** An error of Node's HTTP parser or server (the `clientError` event), as Node reports it. */
export interface HttpClientError extends Error {
  code?: string;
  /** llhttp's reason, e.g. "Invalid method encountered". */
  reason?: string;
}

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser rejects (a malformed request
 * line or header, headers over the size limit, a request not received in time) never becomes
 * a request. It is answered on the socket in the catalog's shape, with a fresh request id
 * (also sent as `x-request-id`), and the connection closes: the parser cannot find where the
 * next request would start. The log line names the parser's code, never the raw bytes (they
 * may hold an Authorization header).
 */
export function answerClientError(error: HttpClientError, socket: Duplex, log: FastifyBaseLogger): void {
  // A reset connection has nobody left to answer (Node's and Fastify's rule).
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const { status, body } = clientErrorReply(error, randomUUID());
  log.info({ reqId: body.request_id, code: body.code, status, parserError: error.code }, body.message);
  // Answer only if no response is already under way on this connection (Node's own check).
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const payload = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n` +
        `x-request-id: ${body.request_id}\r\nconnection: close\r\n\r\n${payload}`,
    );
  }
  socket.destroy(error);
}

/** The catalog error for an error of Node's HTTP layer, with the body every error has. */
function clientErrorReply(error: HttpClientError, requestId: string): { status: number; body: ErrorBody } {
  const known = httpLayerError(error);
  const status = errorCatalog[known.code].status;
  return { status, body: { message: requestErrorStatuses.has(status) ? `invalid request: ${known.message}` : known.message, code: known.code, request_id: requestId } };
}

function httpLayerError(error: HttpClientError): OpenRerankError {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new OpenRerankError(
        "headers_too_large",
        `the request line and headers are larger than the limit of ${maxHeaderSize} bytes; send fewer or shorter headers (long cookies or tokens are the usual cause)`,
        { limitBytes: maxHeaderSize },
      );
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new OpenRerankError("payload_too_large", "the body's chunk extensions are larger than the HTTP server accepts; send the body without chunk extensions", {});
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new OpenRerankError("client_timeout", "the request was not received completely in time: the client sent its headers or body too slowly; send the whole request at once and retry", {});
    default: {
      const reason = error.reason ?? "the request could not be parsed";
      return new OpenRerankError("invalid_request", `the HTTP request is malformed: ${reason}${error.code ? ` (${error.code})` : ""}; send a well-formed HTTP/1.1 request`, {
        parserError: error.code,
      });
    }
  }
}

/** Caller mistakes about the request itself; on the wire their messages start with Cohere's "invalid request: ". */
const requestErrorStatuses = new Set([400, 413, 415, 431]);

/** A request's path for a message: never its query string (it may hold a key), at most 200 characters. */
function shownPath(url: string): string {
  const path = url.split("?")[0];
  return path.length > 200 ? `${path.slice(0, 200)}… (${path.length} characters)` : path;
}

export function errorReply(error: unknown, request: FastifyRequest, limits: { bodyLimitBytes: number }): ErrorReply {
  const known = toOpenRerankError(error, limits);
  const code: ErrorCode = known?.code ?? "internal";
  const status = errorCatalog[code].status;
  const message = known === undefined ? `internal error: the server failed to handle this request; it was logged with request id ${request.id}` : toWireNames(known.message);
  const body: ErrorBody = {
    message: requestErrorStatuses.has(status) ? `invalid request: ${message}` : message,
    code,
    request_id: String(request.id),
  };
  const issues = known === undefined ? [] : errorIssues(known);
  if (issues.length > 0) body.issues = issues;
  if (request.routeOptions.config?.errorStyle === "tei") {
    body.error = body.message;
    body.error_type = status === 429 ? "Overloaded" : status === 503 ? "Unhealthy" : status >= 500 ? "Backend" : "Validation";
  }
  return { status, body, headers: errorHeaders(code, known) };
}

/**
 * The error's issues in wire names: the ones it carries (schema and input validation), or one
 * for the field a server check names. Every error body has this one shape (zod's `issues`).
 */
function errorIssues(error: OpenRerankError): SchemaIssue[] {
  const carried = error.details.issues;
  if (Array.isArray(carried)) return (carried as SchemaIssue[]).map((issue) => ({ ...issue, path: toWireNames(issue.path), message: toWireNames(issue.message) }));
  const field = error.details.field;
  return typeof field === "string" ? [{ path: toWireNames(field), code: error.code, message: toWireNames(error.message) }] : [];
}

function errorHeaders(code: ErrorCode, error: OpenRerankError | undefined): Record<string, string> {
  const retryAfter = error?.details.retryAfterSeconds;
  if (typeof retryAfter === "number") return { "retry-after": String(retryAfter) };
  if (code === "shutting_down") return { connection: "close" };
  return {};
}

/** Fastify's body-parsing errors, by their code, as catalog errors. */
const fastifyErrors: Record<string, (error: { message: string }, limits: { bodyLimitBytes: number }) => OpenRerankError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new OpenRerankError("unsupported_media_type", "unsupported content type; send the body as JSON with Content-Type: application/json", {}),
  FST_ERR_CTP_BODY_TOO_LARGE: (_, limits) =>
    new OpenRerankError(
      "payload_too_large",
      `the body is larger than the limit of ${limits.bodyLimitBytes} bytes; send fewer or shorter documents per request, or raise --body-limit`,
      { limitBytes: limits.bodyLimitBytes },
    ),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => emptyBodyError(),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new OpenRerankError("malformed_json", "the body is not valid JSON", {}),
  FST_ERR_BAD_URL: (error) =>
    new OpenRerankError("invalid_request", `the URL path ${shownPath(/'(.*)' is not a valid url component$/s.exec(error.message)?.[1] ?? "")} is not valid: it has a malformed percent-encoding; encode each reserved or non-ASCII byte as %XX`, {}),
};

function toOpenRerankError(error: unknown, limits: { bodyLimitBytes: number }): OpenRerankError | undefined {
  if (isOpenRerankError(error)) return error;
  if (typeof error !== "object" || error === null) return undefined;
  const fastifyError = error as { code?: string; message: string; statusCode?: number; validation?: AjvErrorLike[] };
  if (Array.isArray(fastifyError.validation)) {
    const issues = schemaIssues(fastifyError.validation);
    const first = issues[0] ?? { path: "body", message: fastifyError.message, code: "invalid_request" as const };
    return new OpenRerankError(first.code, `${first.path} ${first.message}`, { issues });
  }
  const translate = fastifyError.code === undefined ? undefined : fastifyErrors[fastifyError.code];
  if (translate !== undefined) return translate(fastifyError, limits);
  // Any other client error Fastify raises while reading the request (bad Content-Length, …) is still the caller's.
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new OpenRerankError("invalid_request", fastifyError.message, {});
  }
  return undefined;
}
