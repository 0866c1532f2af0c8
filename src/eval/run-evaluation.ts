import { basename, resolve } from "node:path";
import { OpenRerankError } from "../errors/catalog.js";
import type { Reranker } from "../reranker/types.js";
import { beirDocumentText, loadBeirDataset } from "./beir-dataset.js";
import type { BeirDataset } from "./beir-dataset.js";
import { compareRuns } from "./compare-runs.js";
import { evaluateRun } from "./evaluate-run.js";
import type { Run } from "./evaluate-run.js";
import { headlineMetrics, topOneAgreementHintThreshold, verdictMetric } from "./evaluation-report.js";
import type { EvaluationReport, HeadlineValues, RerankerSetup } from "./evaluation-report.js";
import { collectFirstStageCandidates } from "./first-stage-candidates.js";
import type { FirstStageOptions, StageProgress } from "./first-stage-candidates.js";
import { summarizeLatencies } from "./latency.js";
import type { RankedDocument } from "./metrics.js";
import { perQueryResults } from "./per-query-results.js";
import { randomWeightNotice } from "../reranker/test-model-notice.js";
import { rerankRun } from "./rerank-run.js";

export type { EvaluationStage, FirstStageOptions, StageProgress } from "./first-stage-candidates.js";

export interface EvaluationOptions {
  /** BEIR dataset directory (corpus.jsonl, queries.jsonl, qrels/<split>.tsv). */
  datasetDirectory: string;
  /** Default "test". */
  split?: string;
  /** Default BM25 (k1 0.9, b 0.4). */
  firstStage?: FirstStageOptions;
  /** Candidates per query from the first stage, all of them reranked (default 100). */
  topK?: number;
  /** Loads the reranker to apply; omit to evaluate the first stage alone. It is disposed at the end. */
  loadReranker?: () => Promise<Reranker>;
  progress?: StageProgress;
}

export interface EvaluationOutcome {
  report: EvaluationReport;
  /** Top-k candidates per query from the first stage. */
  firstStageRun: Run;
  rerankedRun?: Run;
}

/** How documents are turned into text, stated in every report. */
export const documentTextDescription = 'title + " " + text (text alone when there is no title)';

/**
 * Answers "does reranking help on my data, and by how much?": loads a BEIR dataset, takes the
 * top-k candidates per judged query from BM25 or from a TREC run file, optionally reranks them,
 * and scores both with trec_eval semantics (see metrics.ts), query by query.
 */
export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationOutcome> {
  const totalStarted = performance.now();
  const topK = options.topK ?? 100;
  if (!Number.isInteger(topK) || topK < 1) {
    throw new OpenRerankError("invalid_option", `top-k must be a positive integer; got ${topK}. The default is 100.`, { topK });
  }
  const warnings: string[] = [];
  const notices: string[] = [];

  let started = performance.now();
  const dataset = await loadBeirDataset(options.datasetDirectory, options.split ?? "test");
  const loadDatasetMs = performance.now() - started;
  warnings.push(...dataset.warnings);

  const candidates = await collectFirstStageCandidates(dataset, options.firstStage ?? { kind: "bm25" }, topK, warnings, options.progress);
  const unknownDocuments = documentsOutsideCorpus(candidates.run, dataset);

  let reranking: Awaited<ReturnType<typeof rerankCandidates>> | undefined;
  if (options.loadReranker) {
    if (unknownDocuments.length > 0) {
      throw new OpenRerankError(
        "invalid_dataset",
        `The first-stage run names ${unknownDocuments.length} document(s) that are not in ${dataset.directory}/corpus.jsonl (e.g. ${unknownDocuments.slice(0, 3).join(", ")}); reranking needs each document's text. Use the corpus the run was made from.`,
        { unknownDocuments: unknownDocuments.length },
      );
    }
    reranking = await rerankCandidates(options.loadReranker, dataset, candidates.run, warnings, options.progress);
    if (reranking.setup.randomWeightTestModel) notices.push(`${reranking.setup.model} is a ${randomWeightNotice}.`);
  } else if (unknownDocuments.length > 0) {
    warnings.push(`${unknownDocuments.length} retrieved document(s) are not in the corpus; they count as non-relevant unless judged.`);
  }

  started = performance.now();
  const firstStage = evaluateRun(candidates.run, dataset.qrels, headlineMetrics);
  const reranked = reranking ? evaluateRun(reranking.run, dataset.qrels, headlineMetrics) : undefined;
  const comparison = reranking && reranked ? compareRuns(verdictMetric, firstStage.perQuery, reranked.perQuery, candidates.run, reranking.run) : undefined;
  const evaluateMs = performance.now() - started;

  if (firstStage.queriesWithoutCandidates.length > 0) {
    warnings.push(
      `${firstStage.queriesWithoutCandidates.length} judged query(ies) got no candidates from the first stage (e.g. ${firstStage.queriesWithoutCandidates.slice(0, 3).join(", ")}); they score 0 and stay in the average (trec_eval -c).`,
    );
  }
  if (topK < 100) warnings.push(`top-k is ${topK}: MAP@100 and Recall@100 only see the top ${topK} candidates.`);
  if (comparison && comparison.topOneAgreement >= topOneAgreementHintThreshold) {
    notices.push(
      `The reranker keeps the first stage's top-1 document for ${(100 * comparison.topOneAgreement).toFixed(0)}% of queries: it rarely changes what users see first, so it may not be earning its keep here.`,
    );
  }

  const report: EvaluationReport = {
    dataset: basename(resolve(options.datasetDirectory)),
    datasetDirectory: options.datasetDirectory,
    split: dataset.split,
    queries: firstStage.queryCount,
    firstStage: firstStage.mean as HeadlineValues,
    ...(reranked ? { reranked: reranked.mean as HeadlineValues } : {}),
    perQuery: perQueryResults({
      queries: dataset.queries,
      firstStageRun: candidates.run,
      firstStage,
      rerankedRun: reranking?.run,
      reranked,
      firstStageLatencyMs: candidates.latencyMs,
      rerankLatencyMs: reranking?.latencyMs,
    }),
    timings: {
      loadDatasetMs,
      ...(candidates.indexMs !== undefined ? { indexMs: candidates.indexMs } : {}),
      firstStageMs: candidates.milliseconds,
      ...(candidates.latencyMs ? { firstStagePerQuery: summarizeLatencies([...candidates.latencyMs.values()]) } : {}),
      ...(reranking
        ? { modelLoadMs: reranking.modelLoadMs, rerankMs: reranking.milliseconds, rerankPerQuery: summarizeLatencies([...reranking.latencyMs.values()]) }
        : {}),
      evaluateMs,
      totalMs: performance.now() - totalStarted,
    },
    setup: {
      firstStage: candidates.setup,
      topK,
      documentText: documentTextDescription,
      ...(reranking ? { reranker: reranking.setup } : {}),
    },
    ...(comparison ? { comparison } : {}),
    queriesWithoutCandidates: firstStage.queriesWithoutCandidates.length,
    queriesWithoutRelevant: firstStage.queriesWithoutRelevant.length,
    warnings,
    notices,
  };
  return { report, firstStageRun: candidates.run, ...(reranking ? { rerankedRun: reranking.run } : {}) };
}

/** Loads the reranker, reranks every query's candidates (title + " " + text), and disposes it. */
async function rerankCandidates(
  loadReranker: () => Promise<Reranker>,
  dataset: BeirDataset,
  candidates: ReadonlyMap<string, readonly RankedDocument[]>,
  warnings: string[],
  progress?: StageProgress,
): Promise<{ run: Map<string, RankedDocument[]>; latencyMs: Map<string, number>; setup: RerankerSetup; modelLoadMs: number; milliseconds: number }> {
  const corpusById = new Map(dataset.corpus.map((document) => [document.id, document]));
  let started = performance.now();
  const reranker = await loadReranker();
  const modelLoadMs = performance.now() - started;
  try {
    started = performance.now();
    progress?.start("reranking", dataset.queries.length);
    const result = await rerankRun(reranker, dataset.queries, candidates, (documentId) => beirDocumentText(corpusById.get(documentId)!), {
      onProgress: (done) => progress?.update(done),
    });
    const milliseconds = performance.now() - started;
    for (const [code, { queries, example }] of result.warnings) warnings.push(`reranker warning ${code} on ${queries} query(ies), e.g.: ${example}`);
    const { info } = reranker;
    // The report names the weights file of file-based backends; other backends leave those fields empty.
    const detail = (key: string): string => (typeof info.details[key] === "string" ? (info.details[key] as string) : "");
    const setup: RerankerSetup = {
      model: info.id,
      directory: detail("directory"),
      weightsFile: detail("weightsFile"),
      dtype: info.precision ?? info.backend,
      maxSequenceLength: info.contextLength ?? 0,
      randomWeightTestModel: info.isTestModel,
      pairs: result.pairs,
      tokens: result.tokens,
    };
    return { run: result.run, latencyMs: result.latencyMs, setup, modelLoadMs, milliseconds };
  } finally {
    progress?.stop();
    await reranker.dispose();
  }
}

function documentsOutsideCorpus(run: ReadonlyMap<string, readonly RankedDocument[]>, dataset: BeirDataset): string[] {
  const corpusIds = new Set(dataset.corpus.map((document) => document.id));
  const unknown = new Set<string>();
  for (const documents of run.values()) for (const document of documents) if (!corpusIds.has(document.documentId)) unknown.add(document.documentId);
  return [...unknown];
}
