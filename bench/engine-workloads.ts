/**
 * Rerank workloads through our engine (each dtype) and through baseline 1 (transformers.js
 * fp32), interleaved request by request with samples of the MatMul roofline, so all of them see
 * the same machine load. One fresh set of workers per workload gives each its own peak RSS.
 */
import type { BatchLimits } from "../src/inference/batching/batch-scheduler.js";
import { PairEncoder } from "../src/backends/cross-encoder-onnx/pair-encoder.js";
import { readPairTemplate } from "../src/backends/cross-encoder-onnx/pair-template.js";
import type { TextTokenizer } from "../src/inference/tokenization/text-tokenizer.js";
import { readFileSync } from "node:fs";
import { requestFlops, type BertDimensions } from "./model-flops.js";
import { mean, median, quantile, relativeSpread, round, sum } from "./stats.js";
import { BenchWorker, type RunResult, type WorkerSpec } from "./worker-protocol.js";
import type { Workload } from "./workloads.js";

export type Dtype = "fp32" | "int8";

export interface EngineRunOptions {
  model: string;
  modelsDir: string;
  modelDirectory: string;
  dimensions: BertDimensions;
  tokenizer: TextTokenizer;
  dtypes: Dtype[];
  /** Timed requests per workload and engine (one more, untimed, warms each engine up). */
  rounds: number;
  baseline: boolean;
  threads?: number;
  batchLimits?: Partial<BatchLimits>;
  sessionOptions?: Record<string, unknown>;
  /** Token counts M at which the roofline is calibrated; the best is sampled every round. */
  rooflineRows: number[];
  log(line: string): void;
}

/** One row of the results: a model, dtype and workload. Field names are the JSON's. */
export interface WorkloadResult {
  model: string;
  dtype: Dtype;
  workload: string;
  description: string;
  candidates: number;
  rounds: number;
  mean_query_tokens: number | null;
  mean_passage_tokens: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  pairs_per_s: number | null;
  /** Baseline 1 (transformers.js, always fp32) on the same requests, interleaved. */
  baseline_p50_ms: number | null;
  baseline_p95_ms: number | null;
  /** baseline_p50_ms / p50_ms. */
  speedup_vs_baseline: number | null;
  /** Quartiles of the per-request ratio baseline/ours (paired requests run seconds apart). */
  speedup_paired_quartiles: (number | null)[] | null;
  /** For int8 rows: our fp32 p50 / this p50, interleaved in the same run. */
  speedup_vs_our_fp32: number | null;
  /** Median MatMul GFLOP/s of ONNX Runtime at this model's layer shapes and dtype, sampled every round. */
  roofline_gflops: number | null;
  /** Token count M the roofline was sampled at (the best of the calibrated ones). */
  roofline_rows: number;
  /** Model FLOPs of the real (unpadded) tokens / end-to-end request time, median over requests. */
  achieved_gflops: number | null;
  fraction_of_roofline: number | null;
  gflop_per_request: number | null;
  /** Per request, means: tokens the model had to see, and what our batches and the baseline computed. */
  real_tokens: number | null;
  padded_tokens: number | null;
  baseline_padded_tokens: number | null;
  batches_per_request: number | null;
  batch_p50_ms: number | null;
  tokenize_us_per_pair: number | null;
  peak_rss_mb: number | null;
  baseline_peak_rss_mb: number | null;
  /** Interquartile range / median of our request times: how noisy this row was. */
  noise_relative_iqr: number | null;
  load_ms: number | null;
}

interface EngineSamples {
  runs: RunResult[];
  gflops: number[];
}

export async function runEngineWorkloads(options: EngineRunOptions, workloads: Workload[]): Promise<WorkloadResult[]> {
  const { model, modelsDir, dimensions, dtypes } = options;
  const pairLengthsOf = pairLengthCounter(options);

  const rooflines = new Map<Dtype, { worker: BenchWorker; rows: number }>();
  for (const dtype of dtypes) {
    const worker = await BenchWorker.start({ kind: "roofline", hidden: dimensions.hidden, intermediate: dimensions.intermediate, dtype, threads: options.threads, sessionOptions: options.sessionOptions });
    const calibration = await worker.call({ type: "roofline-calibrate", candidates: options.rooflineRows, runs: 9 });
    const byRows = Object.entries(calibration.byRows).map(([rows, gflops]) => `M=${rows}: ${gflops.toFixed(0)}`).join(", ");
    options.log(`  roofline ${dtype}: ${byRows} GFLOP/s; sampling at M=${calibration.rows}`);
    rooflines.set(dtype, { worker, rows: calibration.rows });
  }

  const results: WorkloadResult[] = [];
  try {
    for (const workload of workloads) {
      options.log(`  ${model} ${workload.name}: ${workload.description}, ${options.rounds} rounds`);
      const specs: [string, WorkerSpec][] = dtypes.map((dtype) => [
        dtype,
        { kind: "ours", model, modelsDir, dtype, threads: options.threads, batchLimits: options.batchLimits, sessionOptions: options.sessionOptions },
      ]);
      if (options.baseline) specs.push(["baseline", { kind: "baseline", model, modelsDir, dtype: "fp32" }]);
      // Loaded one after another: loading is not what is measured, and parallel loads would thrash two cores.
      const workers = new Map<string, BenchWorker>();
      for (const [name, spec] of specs) workers.set(name, await BenchWorker.start(spec));
      try {
        const samples = new Map<string, EngineSamples>([...workers.keys()].map((name) => [name, { runs: [], gflops: [] }]));
        const rooflineSamples = new Map<Dtype, number[]>(dtypes.map((dtype) => [dtype, []]));
        // Request 0 warms every engine up (transformers.js builds its session lazily); it is not timed.
        for (const worker of workers.values()) await worker.call({ type: "run", request: workload.requests[0] });
        for (let round = 1; round <= options.rounds; round++) {
          const request = workload.requests[round];
          const flops = requestFlops(dimensions, pairLengthsOf(request.query, request.documents));
          const names = [...workers.keys()];
          // Rotate who goes first each round, so no engine always runs right after another.
          for (let k = 0; k < names.length; k++) {
            const name = names[(k + round) % names.length];
            await settle();
            const run = await (workers.get(name) as BenchWorker).call({ type: "run", request });
            const entry = samples.get(name) as EngineSamples;
            entry.runs.push(run);
            entry.gflops.push(flops / run.ms / 1e6);
          }
          for (const [dtype, roofline] of rooflines) {
            await settle();
            (rooflineSamples.get(dtype) as number[]).push((await roofline.worker.call({ type: "roofline-sample", rows: roofline.rows })).gflops);
          }
        }
        const tokenizeUs = median(
          await Promise.all(
            workload.requests.slice(1, 4).map((request) => (workers.get(dtypes[0]) as BenchWorker).call({ type: "tokenize", request, repeats: 15 }).then((t) => t.usPerPair)),
          ),
        );
        const memory = new Map<string, number>();
        for (const [name, worker] of workers) memory.set(name, (await worker.call({ type: "memory" })).peakRssMb);

        const flopsPerRequest = mean(workload.requests.slice(1, options.rounds + 1).map((request) => requestFlops(dimensions, pairLengthsOf(request.query, request.documents))));
        const baseline = samples.get("baseline");
        const baselineTimes = baseline?.runs.map((run) => run.ms) ?? [];
        const fp32Times = samples.get("fp32")?.runs.map((run) => run.ms);
        for (const dtype of dtypes) {
          const { runs, gflops } = samples.get(dtype) as EngineSamples;
          const times = runs.map((run) => run.ms);
          const roofline = median(rooflineSamples.get(dtype) as number[]);
          const achieved = median(gflops);
          const paired = baseline ? runs.map((run, i) => baseline.runs[i].ms / run.ms) : [];
          results.push({
            model,
            dtype,
            workload: workload.name,
            description: workload.description,
            candidates: workload.candidates,
            rounds: options.rounds,
            mean_query_tokens: round(workload.meanQueryTokens),
            mean_passage_tokens: round(workload.meanPassageTokens),
            p50_ms: round(median(times)),
            p95_ms: round(quantile(times, 0.95)),
            pairs_per_s: round(sum(runs.map((run) => run.pairs)) / (sum(times) / 1000)),
            baseline_p50_ms: round(median(baselineTimes)),
            baseline_p95_ms: round(quantile(baselineTimes, 0.95)),
            speedup_vs_baseline: round(median(baselineTimes) / median(times), 2),
            speedup_paired_quartiles: baseline ? [0.25, 0.5, 0.75].map((q) => round(quantile(paired, q), 2)) : null,
            speedup_vs_our_fp32: dtype !== "fp32" && fp32Times ? round(median(fp32Times) / median(times), 2) : null,
            roofline_gflops: round(roofline),
            roofline_rows: (rooflines.get(dtype) as { rows: number }).rows,
            achieved_gflops: round(achieved),
            fraction_of_roofline: round(achieved / roofline, 3),
            gflop_per_request: round(flopsPerRequest / 1e9, 2),
            real_tokens: round(mean(runs.map((run) => run.realTokens))),
            padded_tokens: round(mean(runs.map((run) => run.paddedTokens))),
            baseline_padded_tokens: baseline ? round(mean(baseline.runs.map((run) => run.paddedTokens))) : null,
            batches_per_request: round(mean(runs.map((run) => run.batches)), 2),
            batch_p50_ms: round(median(runs.flatMap((run) => run.batchMs))),
            tokenize_us_per_pair: round(tokenizeUs, 2),
            peak_rss_mb: round(memory.get(dtype) ?? Number.NaN),
            baseline_peak_rss_mb: round(memory.get("baseline") ?? Number.NaN),
            noise_relative_iqr: round(relativeSpread(times), 3),
            load_ms: round((workers.get(dtype) as BenchWorker).loadMs),
          });
        }
      } finally {
        for (const worker of workers.values()) await worker.stop();
      }
    }
  } finally {
    for (const { worker } of rooflines.values()) await worker.stop();
  }
  return results;
}

/**
 * A pause between two engines' runs. ONNX Runtime's pool threads spin for a while after a run
 * before they sleep; without a pause the next engine would start on cores still busy with the
 * last one's spinning threads (measured: a TinyBERT run right after another session's takes 2x
 * as long as one after a 20 ms pause).
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 30));
}

/** Each pair's real length as the engine encodes it (special tokens included, document cut to the window). */
function pairLengthCounter(options: EngineRunOptions): (query: string, documents: readonly string[]) => number[] {
  const tokenizerJson = JSON.parse(readFileSync(`${options.modelDirectory}/tokenizer.json`, "utf8")) as Parameters<typeof readPairTemplate>[0];
  const config = JSON.parse(readFileSync(`${options.modelDirectory}/config.json`, "utf8")) as { max_position_embeddings?: number };
  const encoder = new PairEncoder(options.tokenizer, readPairTemplate(tokenizerJson, "bert"), config.max_position_embeddings ?? 512);
  return (query, documents) => {
    const encodedQuery = encoder.encodeQuery(query);
    return documents.map((document) => encoder.encodePair(encodedQuery, options.tokenizer.encode(document).ids).length);
  };
}
