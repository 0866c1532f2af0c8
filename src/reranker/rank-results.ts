import { OpenRerankError } from "../errors/catalog.js";
import { sigmoid } from "./calibration.js";
import type { RerankResult } from "./types.js";

/** A document's model output before ranking. */
export interface ScoredDocument {
  index: number;
  /** Raw model output reported to the caller. */
  score: number;
  /** Monotone ranking key; `relevanceScore` is its sigmoid. */
  logOdds: number;
}

/**
 * Sorts most relevant first, ties by lower input index, and keeps the best `topN`.
 * A NaN or infinite score is a model failure to report, never a value to sort: NaN compares
 * false with everything and would silently scramble the order.
 */
export function rankResults(scored: readonly ScoredDocument[], topN: number | undefined): RerankResult[] {
  for (const document of scored) {
    if (!Number.isFinite(document.score) || !Number.isFinite(document.logOdds)) {
      throw new OpenRerankError(
        "invalid_score",
        `the model produced a non-finite score (${document.score}) for document ${document.index}; the model weights or its ONNX export are broken.`,
        { index: document.index, score: document.score },
      );
    }
  }
  const ranked = [...scored].sort((a, b) => b.logOdds - a.logOdds || a.index - b.index);
  const kept = topN === undefined ? ranked : ranked.slice(0, topN);
  return kept.map(({ index, score, logOdds }) => ({ index, score, relevanceScore: sigmoid(logOdds) }));
}


/** Checks a caller's topN: a positive integer (a value above the document count returns everything). */
export function validateTopN(topN: unknown, field = "topN"): number | undefined {
  return validatePositiveInteger(topN, field, "invalid_top_n");
}

/** An optional positive-integer option; the error names the field and the value given. */
export function validatePositiveInteger(value: unknown, field: string, code: "invalid_top_n" | "invalid_request" = "invalid_request"): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new OpenRerankError(code, `invalid request: ${field} must be a positive integer, got ${JSON.stringify(value)}.`, { field, value });
  }
  return value;
}
