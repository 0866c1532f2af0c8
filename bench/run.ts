/**
 * `npm run bench [-- options]`: rerank speed against the status quo (transformers.js) and
 * against this machine's limit (ONNX Runtime MatMul throughput at the model's shapes), plus
 * `openrerank serve` under concurrent load. Prints a table and writes
 * bench/results/<date>-<host>.json (see bench/results/README.md for every field).
 *
 *   npm run bench                    all workloads, both test models, fp32 and int8, server at 1/8/32 clients
 *   npm run bench -- --quick         fewer rounds, no passages-100, a smaller server run (under 2 minutes)
 *   npm run bench -- --soak 10       also load the server for 10 minutes and sample its RSS
 *
 * Every engine runs in a child process of its own and the parent interleaves their requests,
 * so load from other processes on the machine hits them alike: compare ratios from one run,
 * not absolute times across runs.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { defaultBatchLimits, type BatchLimits } from "../src/inference/batching/batch-scheduler.js";
import { runEngineWorkloads, type Dtype, type WorkloadResult } from "./engine-workloads.js";
import { readBertDimensions } from "./model-flops.js";
import { runServerLoad, type ServerLoadResult } from "./server-load.js";
import { buildWorkloads, readModelTokenizer, workloadSpecs, type Workload } from "./workloads.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    models: { type: "string", default: "test/minilm-l6,test/tinybert-l2" },
    dtypes: { type: "string", default: "fp32,int8" },
    workloads: { type: "string" },
    "models-dir": { type: "string", default: "build/models" },
    corpus: { type: "string", default: "../shared/datasets/beir/scifact/corpus.jsonl" },
    queries: { type: "string", default: "../shared/datasets/beir/scifact/queries.jsonl" },
    threads: { type: "string" },
    "max-batch-tokens": { type: "string" },
    "max-batch-size": { type: "string" },
    "session-options": { type: "string" },
    "no-baseline": { type: "boolean", default: false },
    "no-engine": { type: "boolean", default: false },
    "no-server": { type: "boolean", default: false },
    "no-tokenizer": { type: "boolean", default: false },
    "server-model": { type: "string" },
    "server-dtype": { type: "string", default: "fp32" },
    clients: { type: "string", default: "1,8,32" },
    soak: { type: "string", default: "0" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`npm run bench -- [--quick] [--rounds N] [--models a,b] [--dtypes fp32,int8] [--workloads ${workloadSpecs.map((s) => s.name).join(",")}]
  [--threads N] [--max-batch-tokens N] [--max-batch-size N] [--session-options JSON] [--no-baseline] [--no-engine] [--no-server]
  [--server-model ID] [--server-dtype fp32|int8] [--clients 1,8,32] [--no-tokenizer] [--soak MINUTES] [--out FILE] [--models-dir DIR] [--corpus FILE] [--queries FILE]`);
  process.exit(0);
}

const quick = values.quick;
const rounds = Number(values.rounds ?? (quick ? 3 : 15));
const models = values.models.split(",").filter(Boolean);
const dtypes = values.dtypes.split(",").filter(Boolean) as Dtype[];
const modelsDir = values["models-dir"];
const threads = values.threads ? Number(values.threads) : undefined;
const batchLimits: Partial<BatchLimits> = {
  ...(values["max-batch-tokens"] ? { maxBatchTokens: Number(values["max-batch-tokens"]) } : {}),
  ...(values["max-batch-size"] ? { maxBatchSize: Number(values["max-batch-size"]) } : {}),
};
const sessionOptions = values["session-options"] ? (JSON.parse(values["session-options"]) as Record<string, unknown>) : undefined;
const soakMinutes = Number(values.soak);
// --quick leaves out passages-100 (passages-50 at twice the size) to stay under two minutes.
const workloadNames = (values.workloads ?? workloadSpecs.filter((spec) => !quick || spec.name !== "passages-100").map((spec) => spec.name).join(",")).split(",");
for (const name of workloadNames) {
  if (!workloadSpecs.some((spec) => spec.name === name)) throw new Error(`--workloads: ${name} is not one of ${workloadSpecs.map((spec) => spec.name).join(", ")}`);
}
const selectedSpecs = workloadSpecs.filter((spec) => workloadNames.includes(spec.name));
for (const dtype of dtypes) if (dtype !== "fp32" && dtype !== "int8") throw new Error(`--dtypes: ${dtype} is not fp32 or int8`);

const log = (line: string): void => console.error(line);
const started = performance.now();
const loadBefore = os.loadavg();
log(`openrerank bench${quick ? " --quick" : ""}: ${rounds} rounds, load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} on ${os.cpus().length} CPUs`);

const engineResults: WorkloadResult[] = [];
const workloadsByModel = new Map<string, Workload[]>();
if (!values["no-engine"]) {
  for (const model of models) {
    const modelDirectory = path.join(modelsDir, model);
    const tokenizer = readModelTokenizer(modelDirectory);
    const workloads = buildWorkloads({ corpus: values.corpus, queries: values.queries }, tokenizer, selectedSpecs, rounds + 1);
    workloadsByModel.set(model, workloads);
    log(`${model}:`);
    engineResults.push(
      ...(await runEngineWorkloads(
        {
          model,
          modelsDir,
          modelDirectory,
          dimensions: readBertDimensions(modelDirectory),
          tokenizer,
          dtypes,
          rounds,
          baseline: !values["no-baseline"],
          threads,
          batchLimits,
          sessionOptions,
          rooflineRows: quick ? [1024, 2048] : [512, 1024, 2048, 4096],
          log,
        },
        workloads,
      )),
    );
  }
}

// The tokenizer engineer's bench/tokenizer.ts (ours against tokenizers.js and the Rust binding), folded in on full runs.
let tokenizerResult: unknown = null;
if (!quick && !values["no-tokenizer"]) {
  log("bench/tokenizer.ts --docs 1000 --rounds 5");
  const output = execFileSync(process.execPath, ["--import", "tsx", "bench/tokenizer.ts", "--docs", "1000", "--rounds", "5", "--corpus", values.corpus], { encoding: "utf8" });
  tokenizerResult = JSON.parse(output.trim().split("\n").at(-1) ?? "null") as unknown;
}

let serverResult: ServerLoadResult | null = null;
if (!values["no-server"]) {
  // Quick runs load the small model so 32 clients finish in seconds; full runs serve MiniLM-L6.
  const serverModel = values["server-model"] ?? (quick ? "test/tinybert-l2" : "test/minilm-l6");
  const tokenizer = readModelTokenizer(path.join(modelsDir, serverModel));
  const [passages] = buildWorkloads({ corpus: values.corpus, queries: values.queries }, tokenizer, workloadSpecs.slice(0, 1), 40);
  const probe = { query: passages.requests[0].query, documents: passages.requests[0].documents.slice(0, 1) };
  serverResult = await runServerLoad({
    model: serverModel,
    modelsDir,
    dtype: values["server-dtype"] as Dtype,
    requests: passages.requests,
    probe,
    probeConcurrency: 8,
    concurrencies: values.clients.split(",").map(Number),
    requestsPerLevel: quick ? 16 : 32,
    oneClientRequests: quick ? 6 : 12,
    maxSecondsPerLevel: quick ? 20 : 120,
    computeBoundRequests: quick ? 4 : 8,
    soakMinutes,
    log,
  });
}

const loadAfter = os.loadavg();
const report = {
  bench: "openrerank",
  date: new Date().toISOString(),
  host: os.hostname(),
  quick,
  rounds,
  machine: {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cpus: os.cpus().length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load_average_before: loadBefore.map((l) => Number(l.toFixed(2))),
    load_average_after: loadAfter.map((l) => Number(l.toFixed(2))),
  },
  settings: { threads: threads ?? "onnxruntime default", batch_limits: { ...defaultBatchLimits, ...batchLimits }, session_options: sessionOptions ?? null },
  workloads: engineResults,
  tokenizer: tokenizerResult,
  server: serverResult,
  seconds: Math.round((performance.now() - started) / 1000),
};

const outFile = values.out ?? path.join("bench", "results", `${report.date.slice(0, 10)}-${os.hostname()}.json`);
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
printTables(engineResults, serverResult);
if (tokenizerResult) console.log(`\ntokenizer (bench/tokenizer.ts): ${JSON.stringify(tokenizerResult)}`);
console.log(`\nload average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} before, ${loadAfter.map((l) => l.toFixed(2)).join(" ")} after; ${report.seconds} s; written to ${outFile}`);

function printTables(rows: WorkloadResult[], server: ServerLoadResult | null): void {
  const format = (value: number | null | undefined, digits = 0): string => (value === null || value === undefined ? "-" : value.toFixed(digits));
  if (rows.length > 0) {
    const header = ["model", "dtype", "workload", "p50 ms", "p95 ms", "pairs/s", "base p50", "speedup", "vs fp32", "GFLOP/s", "roofline", "fraction", "real tok", "padded", "base pad", "tok µs", "RSS MB", "noise"];
    const table = rows.map((row) => [
      row.model.replace(/^test\//, ""),
      row.dtype,
      row.workload,
      format(row.p50_ms),
      format(row.p95_ms),
      format(row.pairs_per_s),
      format(row.baseline_p50_ms),
      row.speedup_vs_baseline === null ? "-" : `${format(row.speedup_vs_baseline, 2)}x`,
      row.speedup_vs_our_fp32 === null ? "-" : `${format(row.speedup_vs_our_fp32, 2)}x`,
      format(row.achieved_gflops),
      format(row.roofline_gflops),
      row.fraction_of_roofline === null ? "-" : `${format(row.fraction_of_roofline * 100)}%`,
      format(row.real_tokens),
      format(row.padded_tokens),
      format(row.baseline_padded_tokens),
      format(row.tokenize_us_per_pair, 1),
      format(row.peak_rss_mb),
      row.noise_relative_iqr === null ? "-" : `${format(row.noise_relative_iqr * 100)}%`,
    ]);
    printAligned(header, table);
    console.log("speedup: transformers.js fp32 p50 / ours p50 (same requests, interleaved); fraction: achieved GFLOP/s (real tokens) / MatMul roofline of the same dtype; noise: IQR/median of our times");
  }
  if (server) {
    console.log(`\nopenrerank serve ${server.model} ${server.dtype}, ${server.documents_per_request} documents per request, loopback:`);
    const header = ["clients", "requests", "errors", "pairs/s", "p50 ms", "p99 ms", "compute-bound", "ratio", "batch ms", "pairs/batch", "padded/real", "RSS MB"];
    printAligned(
      header,
      server.levels.map((level) => [
        String(level.concurrency),
        String(level.requests),
        String(level.errors),
        format(level.pairs_per_s),
        format(level.p50_ms),
        format(level.p99_ms),
        format(level.compute_bound_pairs_per_s),
        level.ratio_to_compute_bound === null ? "-" : `${format(level.ratio_to_compute_bound * 100)}%`,
        format(level.server_batch_mean_ms),
        format(level.server_batch_mean_pairs),
        format(level.server_padding_ratio, 3),
        format(level.server_peak_rss_mb),
      ]),
    );
    console.log(
      `lone request: in-process p50 ${format(server.in_process_p50_ms)} ms, over HTTP +${format(server.lone_request_overhead_ms, 1)} ms; one in-process batch ${format(server.in_process_batch_p50_ms)} ms`,
    );
    if (server.probe) {
      const probe = server.probe;
      console.log(
        `lone one-document request under ${probe.concurrency} clients: p50 ${format(probe.probe_p50_ms)} ms, p95 ${format(probe.probe_p95_ms)} ms (${probe.probe_count} probes); alone ${format(probe.probe_alone_ms)} ms; one batch ${format(probe.batch_p50_ms)} ms; added ${format(probe.added_latency_batches, 2)} batches`,
      );
    }
    if (server.soak) {
      const soak = server.soak;
      console.log(
        `soak ${soak.minutes} min at ${soak.concurrency} clients: ${soak.requests} requests, ${soak.errors} errors, ${format(soak.pairs_per_s)} pairs/s; RSS first minute ${format(soak.rss_first_minute_mb)} MB, last minute ${format(soak.rss_last_minute_mb)} MB, peak ${format(soak.rss_peak_mb)} MB, slope ${format(soak.rss_slope_mb_per_min, 2)} MB/min`,
      );
    }
  }
}

function printAligned(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
