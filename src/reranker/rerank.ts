import { rankResults } from "./rank-results.js";
import type { RerankerBackend } from "./reranker-spec.js";
import { searchUnitsFor } from "./search-units.js";
import { defaultMaxTokensPerDoc, type Reranker, type RerankOptions, type RerankResponse } from "./types.js";
import { validateNonNegativeInteger, validatePositiveInteger, validateRerankInput, validateTopN } from "./validate-rerank-input.js";
import { rerankWarning } from "./warnings.js";

/**
 * Reranks `documents` for `query` with any backend: validates the input once, lets the backend
 * score every document, then ranks (NaN guard, ties by input order), keeps `topN`, calibrates
 * and counts search units.
 *
 * ```ts
 * const reranker = await loadReranker({ model: "Xenova/ms-marco-MiniLM-L-6-v2" });
 * const { results } = await reranker.rerank("query", ["doc a", "doc b"], { topN: 1 });
 * ```
 */
export async function rerank(backend: RerankerBackend, query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResponse> {
  validateRerankInput(query, documents);
  const topN = validateTopN(options.topN);
  const maxTokensPerDoc = validatePositiveInteger(options.maxTokensPerDoc, "maxTokensPerDoc") ?? defaultMaxTokensPerDoc;
  const maxChunksPerDoc = validatePositiveInteger(options.maxChunksPerDoc, "maxChunksPerDoc");
  const windowOverlap = validateNonNegativeInteger(options.windowOverlap, "windowOverlap") ?? 0;
  const scored = await backend.doRerank({
    query,
    documents,
    maxTokensPerDoc,
    maxChunksPerDoc,
    windowOverlap,
    returnPassages: options.returnPassages === true,
    signal: options.signal,
  });
  const warnings = [...scored.warnings];
  if (topN !== undefined && topN > documents.length) warnings.push(rerankWarning({ code: "top_n_exceeds_documents", topN, documents: documents.length }));
  const passages = new Map(scored.scores.flatMap((document) => (document.passage ? [[document.index, document.passage] as const] : [])));
  const results = rankResults(scored.scores, topN).map((result) => {
    const passage = passages.get(result.index);
    return passage ? { ...result, passage } : result;
  });
  return { results, warnings, usage: { pairs: scored.usage.pairs, tokens: scored.usage.tokens, searchUnits: searchUnitsFor(scored.usage.billedDocuments) } };
}

/** A backend seen as a `Reranker`: `rerank()` goes through the contract, `dispose()` to the backend. */
export function createReranker(backend: RerankerBackend): Reranker {
  return {
    get info() {
      return backend.info;
    },
    rerank: (query, documents, options) => rerank(backend, query, documents, options),
    dispose: () => backend.dispose(),
  };
}
