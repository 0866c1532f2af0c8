import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ModelRegistry } from "../model-registry.js";
import type { ServerLifecycle } from "../server-lifecycle.js";

const Readiness = Type.Object({
  status: Type.Union([Type.Literal("ready"), Type.Literal("loading"), Type.Literal("draining"), Type.Literal("unavailable")]),
  models: Type.Array(Type.String(), { description: "Ids of the loaded models." }),
  unavailable: Type.Optional(Type.Array(Type.String(), { description: "Models whose worker stopped and is being restarted." })),
});

/**
 * `GET /ready`: 200 once every model is loaded, 503 while loading, while draining for shutdown,
 * and while a model's worker is down and being restarted (`unavailable` names it).
 */
export function registerReadyRoute(app: FastifyInstance, lifecycle: ServerLifecycle, registry: ModelRegistry): void {
  app.get(
    "/ready",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "Readiness", response: { 200: Readiness, 503: Readiness } },
    },
    async (_request, reply) => {
      const models = registry.served.map((model) => model.id);
      const unavailable = registry.served.filter((model) => model.reranker.available === false).map((model) => model.id);
      const status = lifecycle.phase === "ready" && unavailable.length > 0 ? "unavailable" : lifecycle.phase;
      return reply.code(status === "ready" ? 200 : 503).send({ status, models, ...(unavailable.length > 0 ? { unavailable } : {}) });
    },
  );
}
