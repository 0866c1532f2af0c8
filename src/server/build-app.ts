import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { stdSerializers, type DestinationStream } from "pino";
import type { ServerConfig } from "../config/load-settings.js";
import { redactedUrl, registerApiKeyAuth } from "./auth.js";
import { answerClientError, frameworkErrorHandler, registerErrorHandler } from "./error-handler.js";
import { registerJsonBodyParser } from "./json-body-parser.js";
import type { ModelRegistry } from "./model-registry.js";
import type { RerankContext } from "./rerank-call.js";
import { registerCohereV1RerankRoute } from "./routes/cohere-v1-rerank-route.js";
import { registerCohereV2RerankRoute } from "./routes/cohere-v2-rerank-route.js";
import { registerHealthRoute } from "./routes/health-route.js";
import { registerMetricsRoute } from "./routes/metrics-route.js";
import { registerModelsRoute } from "./routes/models-route.js";
import { registerOpenApiRoute } from "./routes/openapi-route.js";
import { registerReadyRoute } from "./routes/ready-route.js";
import { registerTeiRerankRoute } from "./routes/tei-rerank-route.js";
import type { ServerLifecycle } from "./server-lifecycle.js";
import type { ServerMetrics } from "./server-metrics.js";
import { errorCodeKeyword } from "./wire/schema-issue.js";

export interface AppOptions {
  config: Pick<ServerConfig, "apiKeys" | "metricsAuth" | "requestTimeoutMs" | "bodyLimitBytes" | "maxDocuments" | "logLevel">;
  registry: ModelRegistry;
  lifecycle: ServerLifecycle;
  metrics: ServerMetrics;
  /** Where logs go (default stdout); tests pass a stream to read them. */
  logStream?: DestinationStream;
}

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/**
 * What a log line shows of a request and an error. Fastify's defaults log the full URL, so a
 * key a client put in the query string (`?api_key=…`) would be written verbatim, even on 401;
 * an HTTP parser error carries the raw bytes received, Authorization header included.
 */
export const logSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }),
  err: (error: Error) => {
    const { rawPacket: _rawPacket, ...serialized } = stdSerializers.err(error) as ReturnType<typeof stdSerializers.err> & { rawPacket?: unknown };
    return serialized;
  },
};

/**
 * Builds the HTTP app: JSON-only bodies, API-key auth, one error handler, metrics hooks, the
 * OpenAPI document and docs page, and the routes. It does not listen and loads no model, so
 * tests drive it in-process with `app.inject()`.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, registry, lifecycle, metrics } = options;
  const limits = { bodyLimitBytes: config.bodyLimitBytes };
  /** Every request: its id as a header, and its count, status and duration in the metrics. */
  const trackRequest = (request: FastifyRequest, reply: FastifyReply) => {
    reply.header("x-request-id", request.id);
    metrics.requestStarted();
    // "finish" marks a sent response; "close" without it a client that left early (499). Fastify's onResponse hook
    // misses the second case, which would leak the in-flight gauge.
    let recorded = false;
    const record = (status: number) => {
      if (recorded) return;
      recorded = true;
      const route = request.is404 ? "unmatched" : (request.routeOptions.url ?? "unmatched");
      metrics.requestFinished(route, request.method, status, reply.elapsedTime / 1000);
    };
    reply.raw.once("finish", () => record(reply.statusCode));
    reply.raw.once("close", () => record(reply.raw.writableFinished ? reply.statusCode : 499));
  };
  const app: FastifyInstance = Fastify({
    logger: {
      level: config.logLevel,
      // API keys must never reach the logs, whatever a serializer or a future log line includes.
      redact: { paths: ["req.headers.authorization", "headers.authorization", "request.headers.authorization"], censor: "[redacted]" },
      serializers: logSerializers,
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Errors before routing and from Node's HTTP parser get the catalog's error shape too.
    frameworkErrors: frameworkErrorHandler(limits, trackRequest),
    clientErrorHandler: (error, socket) => answerClientError(error, socket, app.log),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    ajv: {
      // No type coercion: Cohere rejects "3" for top_n, and coercion would turn a number document into a string.
      // verbose: errors carry the failing schema node, whose x-error-code names the catalog code.
      customOptions: { coerceTypes: false, verbose: true, keywords: [errorCodeKeyword] },
    },
  });

  registerJsonBodyParser(app, config.bodyLimitBytes);
  registerErrorHandler(app, limits);
  app.addHook("onRequest", async (request, reply) => trackRequest(request, reply));
  // While draining, ask keep-alive clients to hang up after their response, or close() would wait for their idle sockets.
  app.addHook("onSend", async (_request, reply) => {
    if (lifecycle.phase === "draining") reply.header("connection", "close");
  });
  registerApiKeyAuth(app, { apiKeys: config.apiKeys, metricsAuth: config.metricsAuth });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "openrerank",
        version,
        description: "Self-hosted cross-encoder reranking with Cohere (v1, v2), Jina and TEI compatible endpoints.",
      },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "Needed only when the server is started with API keys." } } },
      tags: [
        { name: "rerank", description: "Rerank documents for a query" },
        { name: "models", description: "Served models" },
        { name: "health", description: "Liveness, readiness and metrics" },
      ],
    },
  });

  const context: RerankContext = { registry, lifecycle, metrics, limits: { maxDocuments: config.maxDocuments, requestTimeoutMs: config.requestTimeoutMs } };
  metrics.watchQueues(() => registry.served.map((model) => ({ model: model.id, pairs: model.reranker.queuedPairs ?? 0 })));
  registerCohereV2RerankRoute(app, context);
  registerCohereV1RerankRoute(app, context);
  registerTeiRerankRoute(app, context);
  registerModelsRoute(app, registry);
  registerHealthRoute(app);
  registerReadyRoute(app, lifecycle, registry);
  registerMetricsRoute(app, metrics);
  registerOpenApiRoute(app);
  await app.register(swaggerUi, { routePrefix: "/docs" });
  return app;
}
