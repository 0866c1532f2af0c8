/**
 * Ranking metrics with the semantics of trec_eval 9.x / pytrec_eval (as BEIR uses them).
 * Pure functions: a ranking is an ordered list of document ids, judgments map document id →
 * graded relevance.
 *
 * What trec_eval does, and so what these do:
 * - A document is relevant when its grade is ≥ 1 (trec_eval's default relevance level); grade 0
 *   and negative grades are judged non-relevant, and unjudged documents count as non-relevant.
 * - nDCG uses the grade itself as the gain (linear, not 2^rel − 1) and log2(rank + 1) as the
 *   discount, rank starting at 1; the ideal ranking sorts every judged document with a positive
 *   grade by grade, whether or not the run retrieved it. No relevant documents → 0.
 * - Recall@k and MAP@k divide by the number of relevant documents for the query (not by
 *   min(k, relevant)); a query with none scores 0.
 * - Precision@k divides by k even when fewer than k documents were retrieved.
 * - MRR@k is trec_eval's recip_rank truncated at k: 1/rank of the first relevant document
 *   within the top k, else 0.
 * - Ties in score are ordered like trec_eval: score descending, then document id descending
 *   (strcmp order, i.e. UTF-8 byte order) — see {@link rankLikeTrecEval}.
 */

/** Graded relevance judgments for one query: document id → grade (integer). */
export type QueryJudgments = ReadonlyMap<string, number>;

/** One retrieved document and the score the retriever gave it. */
export interface RankedDocument {
  documentId: string;
  score: number;
}

/** The measures this module computes. */
export type MetricKind = "ndcg" | "mrr" | "map" | "recall" | "precision";

/** A measure at a rank cutoff, written `kind@k`, e.g. `ndcg@10`. */
export type MetricName = `${MetricKind}@${number}`;

export interface MetricSpec {
  kind: MetricKind;
  /** Rank cutoff (a positive integer). */
  k: number;
}

const metricKinds: readonly MetricKind[] = ["ndcg", "mrr", "map", "recall", "precision"];

/** Parses `ndcg@10` into `{ kind: "ndcg", k: 10 }`; returns undefined for anything else. */
export function parseMetricName(name: string): MetricSpec | undefined {
  const match = /^([a-z]+)@([1-9][0-9]*)$/.exec(name);
  if (!match) return undefined;
  const kind = match[1] as MetricKind;
  if (!metricKinds.includes(kind)) return undefined;
  return { kind, k: Number(match[2]) };
}

/** Grades ≥ 1 are relevant, as trec_eval's default `-l 1`. */
export function isRelevant(grade: number | undefined): boolean {
  return grade !== undefined && grade >= 1;
}

/**
 * Orders strings the way C's strcmp orders their UTF-8 bytes (= Unicode code point order).
 * JavaScript's `<` compares UTF-16 code units, which differs for characters above U+FFFF.
 */
export function compareByteOrder(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after every BMP character.
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Sorts documents the way trec_eval ranks them before scoring: score descending, ties broken by
 * document id descending. The ranks a run file states are ignored, as trec_eval ignores them.
 * Returns a new array.
 */
export function rankLikeTrecEval<T extends RankedDocument>(documents: readonly T[]): T[] {
  return [...documents].sort((a, b) => {
    if (a.score !== b.score) return a.score > b.score ? -1 : 1;
    return compareByteOrder(b.documentId, a.documentId);
  });
}

/** Number of judged documents with a relevant grade. */
export function countRelevant(judgments: QueryJudgments): number {
  let count = 0;
  for (const grade of judgments.values()) if (isRelevant(grade)) count++;
  return count;
}

/** Normalized DCG at k: gain = grade (for grades > 0), discount = log2(rank + 1). */
export function ndcgAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  let dcg = 0;
  const depth = Math.min(k, ranking.length);
  for (let i = 0; i < depth; i++) {
    const grade = judgments.get(ranking[i]) ?? 0;
    if (grade > 0) dcg += grade / Math.log2(i + 2);
  }
  const idealGrades = [...judgments.values()].filter((grade) => grade > 0).sort((a, b) => b - a);
  let idealDcg = 0;
  const idealDepth = Math.min(k, idealGrades.length);
  for (let i = 0; i < idealDepth; i++) idealDcg += idealGrades[i] / Math.log2(i + 2);
  return idealDcg > 0 ? dcg / idealDcg : 0;
}

/** Reciprocal rank of the first relevant document within the top k; 0 if none. */
export function reciprocalRankAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  const depth = Math.min(k, ranking.length);
  for (let i = 0; i < depth; i++) {
    if (isRelevant(judgments.get(ranking[i]))) return 1 / (i + 1);
  }
  return 0;
}

/** Average precision over the top k, divided by all relevant documents of the query (trec_eval `map_cut`). */
export function averagePrecisionAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  const relevantCount = countRelevant(judgments);
  if (relevantCount === 0) return 0;
  let found = 0;
  let sum = 0;
  const depth = Math.min(k, ranking.length);
  for (let i = 0; i < depth; i++) {
    if (isRelevant(judgments.get(ranking[i]))) {
      found++;
      sum += found / (i + 1);
    }
  }
  return sum / relevantCount;
}

/** Relevant documents in the top k over all relevant documents of the query; 0 if it has none. */
export function recallAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  const relevantCount = countRelevant(judgments);
  if (relevantCount === 0) return 0;
  return countRelevantInTop(ranking, judgments, k) / relevantCount;
}

/** Relevant documents in the top k over k (not over the number retrieved). */
export function precisionAtK(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  return countRelevantInTop(ranking, judgments, k) / k;
}

/** Computes one named measure. */
export function computeMetric(spec: MetricSpec, ranking: readonly string[], judgments: QueryJudgments): number {
  switch (spec.kind) {
    case "ndcg":
      return ndcgAtK(ranking, judgments, spec.k);
    case "mrr":
      return reciprocalRankAtK(ranking, judgments, spec.k);
    case "map":
      return averagePrecisionAtK(ranking, judgments, spec.k);
    case "recall":
      return recallAtK(ranking, judgments, spec.k);
    case "precision":
      return precisionAtK(ranking, judgments, spec.k);
  }
}

function countRelevantInTop(ranking: readonly string[], judgments: QueryJudgments, k: number): number {
  let count = 0;
  const depth = Math.min(k, ranking.length);
  for (let i = 0; i < depth; i++) if (isRelevant(judgments.get(ranking[i]))) count++;
  return count;
}
