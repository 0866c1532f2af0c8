import type { FastifyInstance } from "fastify";
import type { ServerMetrics } from "../server-metrics.js";

/** `GET /metrics`: Prometheus text format. */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics): void {
  app.get(
    "/metrics",
    { config: { access: "metrics" }, schema: { tags: ["health"], summary: "Prometheus metrics", produces: ["text/plain"] } },
    async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
