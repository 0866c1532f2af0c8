import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { ModelRegistry } from "../model-registry.js";
import { errorResponses } from "../wire/error-body.js";
import { ModelsList, modelsList } from "../wire/models-list.js";

/** `GET /v1/models`: the served models with their windows and aliases (Cohere's list-models shape). */
export function registerModelsRoute(app: FastifyInstance, registry: ModelRegistry): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/v1/models",
    {
      schema: {
        tags: ["models"],
        summary: "List served models",
        security: [{ bearerAuth: [] }],
        response: { 200: ModelsList, ...errorResponses([401, 500]) },
      },
    },
    async () => modelsList(registry.served.map((model) => ({ id: model.id, aliases: model.aliases, info: model.reranker.info }))),
  );
}
