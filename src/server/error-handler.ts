import type { FastifyInstance, FastifyRequest } from "fastify";
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
 */
export function registerErrorHandler(app: FastifyInstance, limits: { bodyLimitBytes: number }): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body, headers } = errorReply(error, request, limits);
    if (status >= 500 && status !== 503 && status !== 504) request.log.error({ err: error, code: body.code }, "request failed");
    else request.log.info({ code: body.code, status }, body.message);
    return reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new OpenRerankError("route_not_found", `no endpoint answers ${request.method} ${request.url.split("?")[0]}; the API is described at GET /openapi.json`, {
      method: request.method,
    });
    const { status, body, headers } = errorReply(error, request, limits);
    return reply.code(status).headers(headers).send(body);
  });
}

/** Caller mistakes about the request itself; on the wire their messages start with Cohere's "invalid request: ". */
const requestErrorStatuses = new Set([400, 413, 415]);

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
