import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { assertDocumentCount, runRerank, type RerankContext } from "../rerank-call.js";
import { V2RerankRequest, V2RerankResponse, v2RerankCall, v2RerankResponse } from "../wire/cohere-v2-rerank.js";
import { errorResponses, rerankErrorStatuses } from "../wire/error-body.js";

/** `POST /v2/rerank`: Cohere's v2 rerank API. */
export function registerCohereV2RerankRoute(app: FastifyInstance, context: RerankContext): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/v2/rerank",
    {
      schema: {
        tags: ["rerank"],
        summary: "Rerank documents (Cohere v2)",
        description: "Scores each document against the query with a cross-encoder and returns them most relevant first. Compatible with Cohere's `POST /v2/rerank` and its SDKs.",
        security: [{ bearerAuth: [] }],
        body: V2RerankRequest,
        response: { 200: V2RerankResponse, ...errorResponses(rerankErrorStatuses) },
      },
    },
    async (request, reply) => {
      assertDocumentCount(request.body.documents.length, context.limits.maxDocuments);
      const { response } = await runRerank(context, v2RerankCall(request.body), reply);
      return v2RerankResponse(String(request.id), response);
    },
  );
}
