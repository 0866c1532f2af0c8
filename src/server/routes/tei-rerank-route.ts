import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { assertDocumentCount, runRerank, type RerankContext } from "../rerank-call.js";
import { errorResponses, rerankErrorStatuses } from "../wire/error-body.js";
import { TeiRerankRequest, TeiRerankResponse, teiRerankCall, teiRerankResponse } from "../wire/tei-rerank.js";

/** `POST /rerank`: Hugging Face text-embeddings-inference's rerank API. */
export function registerTeiRerankRoute(app: FastifyInstance, context: RerankContext): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/rerank",
    {
      config: { errorStyle: "tei" },
      schema: {
        tags: ["rerank"],
        summary: "Rerank texts (TEI)",
        description: "Compatible with text-embeddings-inference's `POST /rerank`: returns `[{ index, score, text? }]`, highest score first. Uses the first served model unless `model` is given.",
        security: [{ bearerAuth: [] }],
        body: TeiRerankRequest,
        response: { 200: TeiRerankResponse, ...errorResponses(rerankErrorStatuses) },
      },
    },
    async (request, reply) => {
      assertDocumentCount(request.body.texts.length, context.limits.maxDocuments);
      const { response } = await runRerank(context, teiRerankCall(request.body), reply);
      return teiRerankResponse(response, request.body);
    },
  );
}
