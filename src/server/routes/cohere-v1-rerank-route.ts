import type { FastifyInstance } from "fastify";
import { assertDocumentCount, runRerank, type RerankContext } from "../rerank-call.js";
import { assertChunkBudget, defaultMaxChunksPerDoc, V1RerankRequest, V1RerankResponse, v1RerankCall, v1RerankResponseJson } from "../wire/cohere-v1-rerank.js";
import { errorResponses, rerankErrorStatuses } from "../wire/error-body.js";

/** `POST /v1/rerank`: Cohere's v1 rerank API, which Jina-style clients also speak. */
export function registerCohereV1RerankRoute(app: FastifyInstance, context: RerankContext): void {
  // No type provider here: the reply is a pre-serialized string (see below), which the provider's reply typing rejects.
  app.post<{ Body: V1RerankRequest }>(
    "/v1/rerank",
    {
      schema: {
        tags: ["rerank"],
        summary: "Rerank documents (Cohere v1, Jina)",
        description:
          "Cohere's `POST /v1/rerank`: documents may be strings or objects ranked by `rank_fields`; with `return_documents` each result carries its document exactly as sent. Jina-style requests (`model, query, documents, top_n, return_documents`) are answered in the same shape.",
        security: [{ bearerAuth: [] }],
        body: V1RerankRequest,
        response: { 200: V1RerankResponse, ...errorResponses(rerankErrorStatuses) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      assertDocumentCount(body.documents.length, context.limits.maxDocuments);
      assertChunkBudget(body.documents.length, body.max_chunks_per_doc ?? defaultMaxChunksPerDoc);
      const { response } = await runRerank(context, v1RerankCall(body), reply);
      // Serialized here, not by the schema: documents are echoed as the exact bytes the client sent.
      return reply.type("application/json; charset=utf-8").send(v1RerankResponseJson(String(request.id), response, body, request.rawBody));
    },
  );
}
