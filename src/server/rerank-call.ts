import type { FastifyReply } from "fastify";
import { OpenRerankError } from "../errors/catalog.js";
import type { RerankResponse, RerankWarning } from "../reranker/types.js";
import { validateRerankInput } from "../reranker/validate-rerank-input.js";
import { cutToTokens } from "./document-token-cut.js";
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
  /** Cut each document to this many tokens before pairing (Cohere's `max_tokens_per_doc`). */
  maxTokensPerDoc?: number;
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
 * the input (Cohere's wording, shared with the library), applies `max_tokens_per_doc`, and
 * scores with a signal tied to the client connection and the request timeout.
 */
export async function runRerank(context: RerankContext, call: RerankCall, reply: FastifyReply): Promise<RerankOutcome> {
  context.lifecycle.assertAcceptingWork();
  const model = context.registry.resolve(call.model, { firstAsDefault: call.firstModelAsDefault });
  assertDocumentCount(call.texts.length, context.limits.maxDocuments);
  validateRerankInput(call.query, call.texts);
  const { texts, warnings } = applyMaxTokensPerDoc(model, call.texts, call.maxTokensPerDoc);
  const response = await model.reranker.rerank(call.query, texts, { topN: call.topN, signal: requestSignal(reply, context.limits.requestTimeoutMs) });
  context.metrics.rerankServed(model.id, texts.length, response.usage.tokens);
  return { model, response: { ...response, warnings: [...warnings, ...response.warnings] } };
}

/**
 * Cuts documents longer than `maxTokensPerDoc`. A limit at or above the model window never
 * binds (the engine already keeps each pair inside the window), so the default of 4096
 * costs nothing on 512-token models.
 */
function applyMaxTokensPerDoc(model: ServedModel, texts: string[], maxTokensPerDoc: number | undefined): { texts: string[]; warnings: RerankWarning[] } {
  if (maxTokensPerDoc === undefined || maxTokensPerDoc >= model.reranker.info.maxSequenceLength) return { texts, warnings: [] };
  const cutIndices: number[] = [];
  const cut = texts.map((text, index) => {
    const shorter = cutToTokens(text, maxTokensPerDoc, (part) => model.countTokens(part));
    if (shorter === undefined) return text;
    cutIndices.push(index);
    return shorter;
  });
  if (cutIndices.length === 0) return { texts, warnings: [] };
  const shown = cutIndices.slice(0, 10).join(", ") + (cutIndices.length > 10 ? ", …" : "");
  return {
    texts: cut,
    warnings: [{ code: "documents_cut_to_max_tokens_per_doc", message: `${cutIndices.length} document(s) were cut to max_tokens_per_doc = ${maxTokensPerDoc} tokens (indices ${shown}).`, indices: cutIndices }],
  };
}
