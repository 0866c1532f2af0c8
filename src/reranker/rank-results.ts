import { OpenRerankError } from "../errors/catalog.js";
import { sigmoid } from "./calibration.js";
import type { DocumentScore } from "./reranker-spec.js";
import type { RerankResult } from "./types.js";

/**
 * Sorts most relevant first, ties by lower input index, and keeps the best `topN`.
 * A NaN or infinite score is a model failure to report, never a value to sort: NaN compares
 * false with everything and would silently scramble the order.
 */
export function rankResults(scored: readonly DocumentScore[], topN: number | undefined): RerankResult[] {
  for (const document of scored) {
    if (!Number.isFinite(document.score) || !Number.isFinite(document.logOdds)) {
      throw new OpenRerankError(
        "invalid_score",
        `the model produced a non-finite score (${document.score}) for document ${document.index}; the model weights or its export are broken.`,
        { index: document.index, score: document.score },
      );
    }
  }
  const ranked = [...scored].sort((a, b) => b.logOdds - a.logOdds || a.index - b.index);
  const kept = topN === undefined ? ranked : ranked.slice(0, topN);
  return kept.map(({ index, score, logOdds }) => ({ index, score, relevanceScore: sigmoid(logOdds) }));
}
