import type { FastifyReply } from "fastify";
import { OpenRerankError } from "../errors/catalog.js";
import type { RerankResponse } from "../reranker/types.js";
import { validateRerankInput } from "../reranker/validate-rerank-input.js";
import type { ModelRegistry, ServedModel } from "./model-registry.js";
import { requestSignal } from "./request-signal.js";
import type { ServerLifecycle } from "./server-lifecycle.js";
import type { ServerMetrics } from "./server-metrics.js";

/** What every rerank route shares: the models, the server's state, metrics and limits. */
export interface RerankContext {
  registry: ModelRegistry;
  lifecycle: ServerLifecycle;
  metrics: ServerMetrics;
  limits: { maxDocuments: number; requestTimeoutMs: number };
}

/** One rerank request in the core's terms, whatever wire format it came in. */
export interface RerankCall {
  /** Model id or alias; undefined picks the only served model. */
  model: string | undefined;
  query: string;
  /** Ranked texts, in the caller's order. */
  texts: string[];
  topN?: number;
  /** Tokens of each document kept before windowing (Cohere's `max_tokens_per_doc`; engine default 4096). */
  maxTokensPerDoc?: number;
  /** Windows scored per long document at most (Cohere v1's `max_chunks_per_doc`; engine default: no cap). */
  maxChunksPerDoc?: number;
  /** Add each result's best-window character span (extension `return_passages`). */
  returnPassages?: boolean;
  /** Tokens shared by consecutive windows (extension `window_overlap`; default 0). */
  windowOverlap?: number;
  /** TEI has no model field: fall back to the first served model. */
  firstModelAsDefault?: boolean;
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
      `invalid request: too many documents: got ${count}, the limit is ${maxDocuments}; send at most ${maxDocuments} documents per request (the server's --max-documents)`,
      { field: "documents", count, limit: maxDocuments },
    );
  }
}

/**
 * Runs one rerank for a route: checks the server can take work, picks the model, validates
 * the input (Cohere's wording, shared with the library) before anything is sent to the
 * model's thread, and scores with a signal tied to the client connection and the request
 * timeout. Long documents are the engine's: cut at `maxTokensPerDoc`, scored in windows.
 */
export async function runRerank(context: RerankContext, call: RerankCall, reply: FastifyReply): Promise<RerankOutcome> {
  context.lifecycle.assertAcceptingWork();
  const model = context.registry.resolve(call.model, { firstAsDefault: call.firstModelAsDefault });
  assertDocumentCount(call.texts.length, context.limits.maxDocuments);
  validateRerankInput(call.query, call.texts);
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
