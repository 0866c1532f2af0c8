import type { Bm25IndexReport } from "./bm25-first-stage.js";
import type { RunComparison } from "./compare-runs.js";
import type { LatencySummary } from "./latency.js";

/** The measures the summary, JSON and HTML report show, in display order. */
export const headlineMetrics = ["ndcg@10", "mrr@10", "map@100", "recall@10", "recall@100"] as const;
export type HeadlineMetric = (typeof headlineMetrics)[number];
export type HeadlineValues = Record<HeadlineMetric, number>;

/** Display names for the headline measures. */
export const headlineMetricLabels: Record<HeadlineMetric, string> = {
  "ndcg@10": "nDCG@10",
  "mrr@10": "MRR@10",
  "map@100": "MAP@100",
  "recall@10": "Recall@10",
  "recall@100": "Recall@100",
};

/** The metric per-query wins/ties/losses are decided on. */
export const verdictMetric: HeadlineMetric = "ndcg@10";

/** Top-1 agreement at or above this means the reranker rarely changes what users see first. */
export const topOneAgreementHintThreshold = 0.8;

export interface PerQueryResult {
  queryId: string;
  /** Candidates the first stage returned (at most top-k). */
  candidates: number;
  firstStage: HeadlineValues;
  reranked?: HeadlineValues;
  /** Reranked nDCG@10 − first-stage nDCG@10. */
  deltaNdcg10?: number;
  /** Whether both runs rank the same document first. */
  sameTopOne?: boolean;
  /** BM25 search time for this query. */
  firstStageMs?: number;
  /** Reranker time for this query. */
  rerankMs?: number;
}

export type FirstStageSetup = { kind: "bm25"; index: Bm25IndexReport } | { kind: "run"; path: string; runQueries: number };

export interface RerankerSetup {
  model: string;
  directory: string;
  weightsFile: string;
  dtype: string;
  maxSequenceLength: number;
  /** True for random-weight test models, whose reranked numbers mean nothing. */
  randomWeightTestModel: boolean;
  pairs: number;
  tokens: number;
}

export interface EvaluationTimings {
  loadDatasetMs: number;
  /** BM25 index build (or load) time. */
  indexMs?: number;
  /** All first-stage retrieval (BM25 search, or reading the run file). */
  firstStageMs: number;
  firstStagePerQuery?: LatencySummary;
  modelLoadMs?: number;
  rerankMs?: number;
  rerankPerQuery?: LatencySummary;
  evaluateMs: number;
  totalMs: number;
}

/** Everything `openrerank eval` measured; `--json` writes it as is. */
export interface EvaluationReport {
  /** Dataset name (the directory's last path segment). */
  dataset: string;
  datasetDirectory: string;
  split: string;
  /** Queries averaged over: every query judged in the split. */
  queries: number;
  firstStage: HeadlineValues;
  reranked?: HeadlineValues;
  perQuery: PerQueryResult[];
  timings: EvaluationTimings;
  setup: {
    firstStage: FirstStageSetup;
    /** Candidates per query taken from the first stage (and reranked). */
    topK: number;
    /** How a document's text is formed for BM25 and the reranker. */
    documentText: string;
    reranker?: RerankerSetup;
  };
  comparison?: RunComparison;
  /** Judged queries the first stage returned nothing for (they score 0). */
  queriesWithoutCandidates: number;
  /** Judged queries with no relevant document (trec_eval scores them 0). */
  queriesWithoutRelevant: number;
  warnings: string[];
  /** Things a reader must know to read the numbers (random-weight model, top-1 agreement hint). */
  notices: string[];
}
