import type { FastifyReply } from "fastify";
import { OpenRerankError } from "../errors/catalog.js";
import type { RerankResponse } from "../reranker/types.js";
import type { ModelRegistry, ServedModel } from "./model-registry.js";
import { requestSignal } from "./request-signal.js";
import type { ServerLifecycle } from "./server-lifecycle.js";
import type { ServerMetrics } from "./server-metrics.js";
import type { RerankCall } from "./wire/rerank-call.js";

/** What every rerank route shares: the models, the server's state, metrics and limits. */
export interface RerankContext {
  registry: ModelRegistry;
  lifecycle: ServerLifecycle;
  metrics: ServerMetrics;
  limits: { maxDocuments: number; requestTimeoutMs: number };
}

export interface RerankOutcome {
  model: ServedModel;
  response: RerankResponse;
}

/** Rejects a request with more documents than allowed; call before turning documents into texts. */
export function assertDocumentCount(count: number, maxDocuments: number): void {
  if (count > maxDocuments) {
    throw new OpenRerankError(
      "too_many_documents",
      `too many documents: got ${count}, the limit is ${maxDocuments}; send at most ${maxDocuments} documents per request (the server's --max-documents)`,
      { field: "documents", count, limit: maxDocuments },
    );
  }
}

/**
 * Runs one rerank for a route: checks the server can take work, picks the model, and reranks
 * through the contract, which validates the input once, on this thread, before anything is
 * sent to the model's thread. The signal is tied to the client connection and the request
 * timeout. Routes check the document count (before turning documents into texts).
 */
export async function runRerank(context: RerankContext, call: RerankCall, reply: FastifyReply): Promise<RerankOutcome> {
  context.lifecycle.assertAcceptingWork();
  const model = context.registry.resolve(call.model, { firstAsDefault: call.firstModelAsDefault });
  const response = await model.reranker.rerank(call.query, call.texts, {
    topN: call.topN,
    maxTokensPerDoc: call.maxTokensPerDoc,
    maxChunksPerDoc: call.maxChunksPerDoc,
    returnPassages: call.returnPassages,
    windowOverlap: call.windowOverlap,
    signal: requestSignal(reply, context.limits.requestTimeoutMs),
  });
  context.metrics.rerankServed(model.id, call.texts.length, response.usage.tokens);
  return { model, response };
}
