import type { MetricValues } from "./evaluate-run.js";
import type { MetricName, RankedDocument } from "./metrics.js";
import { rankLikeTrecEval } from "./metrics.js";

/** How a reranked run compares with the first stage, query by query. */
export interface RunComparison {
  /** Metric the per-query verdicts use. */
  metric: MetricName;
  wins: number;
  ties: number;
  losses: number;
  /** Queries (with candidates) whose top-1 document is the same in both runs. */
  sameTopOne: number;
  /** Queries where both runs have a top-1 document. */
  comparableQueries: number;
  /** sameTopOne / comparableQueries (0 when nothing is comparable). */
  topOneAgreement: number;
}

// Differences this small are floating-point noise, not a change in ranking quality.
const tieTolerance = 1e-9;

/**
 * Wins/ties/losses of `reranked` over `firstStage` on one metric (from per-query values), and how
 * often both put the same document first.
 */
export function compareRuns(
  metric: MetricName,
  firstStageValues: ReadonlyMap<string, MetricValues>,
  rerankedValues: ReadonlyMap<string, MetricValues>,
  firstStage: ReadonlyMap<string, readonly RankedDocument[]>,
  reranked: ReadonlyMap<string, readonly RankedDocument[]>,
): RunComparison {
  let wins = 0;
  let ties = 0;
  let losses = 0;
  for (const [queryId, values] of firstStageValues) {
    const after = rerankedValues.get(queryId);
    if (!after) continue;
    const delta = after[metric] - values[metric];
    if (delta > tieTolerance) wins++;
    else if (delta < -tieTolerance) losses++;
    else ties++;
  }
  let sameTopOne = 0;
  let comparableQueries = 0;
  for (const [queryId, documents] of firstStage) {
    const first = topDocument(documents);
    const second = topDocument(reranked.get(queryId) ?? []);
    if (first === undefined || second === undefined) continue;
    comparableQueries++;
    if (first === second) sameTopOne++;
  }
  return { metric, wins, ties, losses, sameTopOne, comparableQueries, topOneAgreement: comparableQueries === 0 ? 0 : sameTopOne / comparableQueries };
}

/** The document trec_eval would rank first. */
export function topDocument(documents: readonly RankedDocument[]): string | undefined {
  return documents.length === 0 ? undefined : rankLikeTrecEval(documents)[0].documentId;
}
