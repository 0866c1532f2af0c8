import { OpenRerankError } from "../errors/catalog.js";
import { computeMetric, countRelevant, parseMetricName, rankLikeTrecEval } from "./metrics.js";
import type { MetricName, MetricSpec, QueryJudgments, RankedDocument } from "./metrics.js";

/** Retrieved documents per query id, in any order (they are ranked like trec_eval before scoring). */
export type Run = ReadonlyMap<string, readonly RankedDocument[]>;

/** Judgments per query id. */
export type Qrels = ReadonlyMap<string, QueryJudgments>;

export type MetricValues = Record<MetricName, number>;

export interface RunEvaluation {
  /** Mean of each measure over every query in the qrels (see {@link evaluateRun}). */
  mean: MetricValues;
  /** Each measure for each qrels query, in qrels order. */
  perQuery: Map<string, MetricValues>;
  /** Queries averaged over (= queries in the qrels). */
  queryCount: number;
  /** Qrels queries the run has no documents for; they score 0 on every measure. */
  queriesWithoutCandidates: string[];
  /** Qrels queries with no document graded ≥ 1; trec_eval scores them 0 on every measure. */
  queriesWithoutRelevant: string[];
}

/**
 * Scores a run against qrels like `trec_eval -c` (pytrec_eval's per-query values, averaged):
 * every query in the qrels counts, a query the run has nothing for scores 0, and run queries
 * without judgments are ignored. Queries whose judgments are all 0 stay in the average with
 * 0, as trec_eval and BEIR keep them.
 *
 * BEIR averages pytrec_eval's output, which holds the queries present in both qrels and run;
 * its retrievers return an entry (possibly empty) for every query, so that is the same
 * denominator. Feeding pytrec_eval a run *file* that omits queries would instead average over
 * fewer queries; this function never does, and reports such queries in
 * `queriesWithoutCandidates`.
 */
export function evaluateRun(run: Run, qrels: Qrels, metricNames: readonly MetricName[]): RunEvaluation {
  const specs = metricNames.map((name) => [name, resolveMetric(name)] as const);
  const perQuery = new Map<string, MetricValues>();
  const queriesWithoutCandidates: string[] = [];
  const queriesWithoutRelevant: string[] = [];
  const sums = Object.fromEntries(metricNames.map((name) => [name, 0])) as MetricValues;

  for (const [queryId, judgments] of qrels) {
    const documents = run.get(queryId) ?? [];
    if (documents.length === 0) queriesWithoutCandidates.push(queryId);
    if (countRelevant(judgments) === 0) queriesWithoutRelevant.push(queryId);
    const ranking = rankLikeTrecEval(documents).map((document) => document.documentId);
    const values = {} as MetricValues;
    for (const [name, spec] of specs) {
      values[name] = computeMetric(spec, ranking, judgments);
      sums[name] += values[name];
    }
    perQuery.set(queryId, values);
  }

  const queryCount = qrels.size;
  const mean = {} as MetricValues;
  for (const name of metricNames) mean[name] = queryCount === 0 ? 0 : sums[name] / queryCount;
  return { mean, perQuery, queryCount, queriesWithoutCandidates, queriesWithoutRelevant };
}

function resolveMetric(name: string): MetricSpec {
  const spec = parseMetricName(name);
  if (!spec) {
    throw new OpenRerankError(
      "invalid_option",
      `Unknown metric "${name}". Allowed: ndcg@k, mrr@k, map@k, recall@k, precision@k with k a positive integer, e.g. ndcg@10.`,
      { metric: name },
    );
  }
  return spec;
}
