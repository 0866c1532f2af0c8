import type { FastifyInstance, FastifyRequest } from "fastify";
import { errorCatalog, isOpenRerankError, OpenRerankError, type ErrorCode } from "../errors/catalog.js";
import type { ErrorBody } from "./wire/error-body.js";
import { schemaIssues, type AjvErrorLike } from "./wire/schema-issue.js";
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

export function errorReply(error: unknown, request: FastifyRequest, limits: { bodyLimitBytes: number }): ErrorReply {
  const known = toOpenRerankError(error, limits);
  const code: ErrorCode = known?.code ?? "internal";
  const status = errorCatalog[code].status;
  const body: ErrorBody = {
    message: known?.message ?? `internal error: the server failed to handle this request; it was logged with request id ${request.id}`,
    code,
    request_id: String(request.id),
  };
  const issues = known?.details.issues;
  if (Array.isArray(issues)) body.issues = issues;
  else if (known !== undefined && Object.keys(known.details).length > 0) body.details = { ...known.details };
  if (request.routeOptions.config?.errorStyle === "tei") {
    body.error = body.message;
    body.error_type = status === 429 ? "Overloaded" : status === 503 ? "Unhealthy" : status >= 500 ? "Backend" : "Validation";
  }
  return { status, body, headers: errorHeaders(code, known) };
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
    new OpenRerankError("unsupported_media_type", "invalid request: unsupported content type; send the body as JSON with Content-Type: application/json", {}),
  FST_ERR_CTP_BODY_TOO_LARGE: (_, limits) =>
    new OpenRerankError(
      "payload_too_large",
      `invalid request: the body is larger than the limit of ${limits.bodyLimitBytes} bytes; send fewer or shorter documents per request, or raise --body-limit`,
      { limitBytes: limits.bodyLimitBytes },
    ),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new OpenRerankError("malformed_json", "invalid request: the body is empty; send a JSON object", {}),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new OpenRerankError("malformed_json", "invalid request: the body is not valid JSON", {}),
};

function toOpenRerankError(error: unknown, limits: { bodyLimitBytes: number }): OpenRerankError | undefined {
  if (isOpenRerankError(error)) return error;
  if (typeof error !== "object" || error === null) return undefined;
  const fastifyError = error as { code?: string; message: string; statusCode?: number; validation?: AjvErrorLike[] };
  if (Array.isArray(fastifyError.validation)) {
    const issues = schemaIssues(fastifyError.validation);
    const first = issues[0] ?? { path: "body", message: fastifyError.message, code: "invalid_request" as const };
    return new OpenRerankError(first.code, `invalid request: ${first.path} ${first.message}`, { issues });
  }
  const translate = fastifyError.code === undefined ? undefined : fastifyErrors[fastifyError.code];
  if (translate !== undefined) return translate(fastifyError, limits);
  // Any other client error Fastify raises while reading the request (bad Content-Length, …) is still the caller's.
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new OpenRerankError("invalid_request", `invalid request: ${fastifyError.message}`, {});
  }
  return undefined;
}
