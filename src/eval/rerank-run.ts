import type { Reranker } from "../reranker/types.js";
import type { DatasetQuery } from "./beir-dataset.js";
import type { RankedDocument } from "./metrics.js";

export interface RerankRunResult {
  /** Per query, the candidates with the reranker's raw score (logit) as their score. */
  run: Map<string, RankedDocument[]>;
  /** Milliseconds each query's rerank call took, by query id (queries without candidates absent). */
  latencyMs: Map<string, number>;
  /** Warnings the reranker returned (e.g. truncation) by code: how many queries raised it, and one message. */
  warnings: Map<string, { queries: number; example: string }>;
  pairs: number;
  tokens: number;
}

export interface RerankRunOptions {
  /** Called after each query with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Reranks each query's candidates with a reranker, one query per call (the way a search
 * service reranks), and scores each document by the model's raw score — the logit, which
 * orders like the calibrated relevance but does not saturate into ties near 0 or 1.
 * `candidateText` gives the text of a candidate (e.g. title + " " + text).
 */
export async function rerankRun(
  reranker: Reranker,
  queries: readonly DatasetQuery[],
  candidates: ReadonlyMap<string, readonly RankedDocument[]>,
  candidateText: (documentId: string) => string,
  options: RerankRunOptions = {},
): Promise<RerankRunResult> {
  const run = new Map<string, RankedDocument[]>();
  const latencyMs = new Map<string, number>();
  const warnings = new Map<string, { queries: number; example: string }>();
  let pairs = 0;
  let tokens = 0;
  for (const [done, query] of queries.entries()) {
    const documents = candidates.get(query.id) ?? [];
    if (documents.length === 0) {
      run.set(query.id, []);
    } else {
      const texts = documents.map((document) => candidateText(document.documentId));
      const started = performance.now();
      const response = await reranker.rerank(query.text, texts);
      latencyMs.set(query.id, performance.now() - started);
      run.set(
        query.id,
        response.results.map((result) => ({ documentId: documents[result.index].documentId, score: result.score })),
      );
      for (const code of new Set(response.warnings.map((warning) => warning.code))) {
        const seen = warnings.get(code);
        if (seen) seen.queries++;
        else warnings.set(code, { queries: 1, example: response.warnings.find((warning) => warning.code === code)!.message });
      }
      pairs += response.usage.pairs;
      tokens += response.usage.tokens;
    }
    options.onProgress?.(done + 1, queries.length);
  }
  return { run, latencyMs, warnings, pairs, tokens };
}
