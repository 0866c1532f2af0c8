import type { FastifyInstance } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ModelRegistry } from "../model-registry.js";
import type { ServerLifecycle } from "../server-lifecycle.js";

const Readiness = Type.Object({
  status: Type.Union([Type.Literal("ready"), Type.Literal("loading"), Type.Literal("draining")]),
  models: Type.Array(Type.String(), { description: "Ids of the loaded models." }),
});

/** `GET /ready`: 200 once every model is loaded, 503 while loading and while draining for shutdown. */
export function registerReadyRoute(app: FastifyInstance, lifecycle: ServerLifecycle, registry: ModelRegistry): void {
  app.get(
    "/ready",
    {
      config: { access: "public" },
      schema: { tags: ["health"], summary: "Readiness", response: { 200: Readiness, 503: Readiness } },
    },
    async (_request, reply) => {
      const status = lifecycle.phase;
      return reply.code(status === "ready" ? 200 : 503).send({ status, models: registry.served.map((model) => model.id) });
    },
  );
}
