import type { Bm25Parameters } from "../retrieval/bm25/bm25-scoring.js";
import type { BeirDataset } from "./beir-dataset.js";
import { prepareBm25Index, retrieveWithBm25 } from "./bm25-first-stage.js";
import type { FirstStageSetup } from "./evaluation-report.js";
import { rankLikeTrecEval } from "./metrics.js";
import type { RankedDocument } from "./metrics.js";
import { readTrecRun } from "./trec-run.js";

export type FirstStageOptions =
  | { kind: "bm25"; indexPath?: string; parameters?: Partial<Bm25Parameters> }
  | { kind: "run"; path: string };

export type EvaluationStage = "indexing" | "retrieval" | "reranking";

/** Receives stage progress (the CLI draws bars from it). */
export interface StageProgress {
  start(stage: EvaluationStage, total: number): void;
  update(done: number): void;
  stop(): void;
}

export interface FirstStageCandidates {
  /** Top-k candidates per judged query (queries the run lacks are absent). */
  run: Map<string, RankedDocument[]>;
  setup: FirstStageSetup;
  /** BM25 search time per query (absent for run files). */
  latencyMs?: Map<string, number>;
  /** BM25 index build or load time. */
  indexMs?: number;
  /** Milliseconds to retrieve (BM25) or read (run file) the candidates. */
  milliseconds: number;
}

/**
 * The top-k candidates per judged query: from BM25 over the corpus, or from a TREC run file
 * (re-ranked by score like trec_eval, then cut at k). Problems worth knowing go to `warnings`.
 */
export async function collectFirstStageCandidates(
  dataset: BeirDataset,
  options: FirstStageOptions,
  topK: number,
  warnings: string[],
  progress?: StageProgress,
): Promise<FirstStageCandidates> {
  if (options.kind === "bm25") {
    progress?.start("indexing", dataset.corpus.length);
    const { index, report } = await prepareBm25Index(dataset, {
      indexPath: options.indexPath,
      parameters: options.parameters,
      onProgress: (indexed) => progress?.update(indexed),
      onWarning: (message) => warnings.push(message),
    });
    progress?.stop();
    const started = performance.now();
    progress?.start("retrieval", dataset.queries.length);
    const { run, latencyMs } = retrieveWithBm25(index, dataset.queries, topK, (done) => progress?.update(done));
    progress?.stop();
    return { run, latencyMs, setup: { kind: "bm25", index: report }, indexMs: report.milliseconds, milliseconds: performance.now() - started };
  }

  const started = performance.now();
  const fileRun = await readTrecRun(options.path);
  const run = new Map<string, RankedDocument[]>();
  for (const query of dataset.queries) {
    const documents = fileRun.get(query.id);
    if (documents) run.set(query.id, rankLikeTrecEval(documents).slice(0, topK));
  }
  const ignored = [...fileRun.keys()].filter((queryId) => !dataset.qrels.has(queryId)).length;
  if (ignored > 0) warnings.push(`${ignored} query id(s) in ${options.path} have no judgments in the ${dataset.split} split and were ignored.`);
  return { run, setup: { kind: "run", path: options.path, runQueries: fileRun.size }, milliseconds: performance.now() - started };
}
