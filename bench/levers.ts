/**
 * Compares engine settings ("levers") side by side: each variant runs in a worker of its own
 * and the variants take turns on the same requests, so machine load hits them alike. Prints
 * each variant's p50 and its paired ratio to the first variant, and one JSON line.
 *
 *   node --import tsx bench/levers.ts --model test/minilm-l6 --dtype fp32 --workload passages-50 \
 *     --variant 'default={}' --variant 'budget 1024={"batchLimits":{"maxBatchTokens":1024}}' \
 *     --variant 'no spinning={"sessionOptions":{"extra":{"session":{"intra_op.allow_spinning":"0"}}}}'
 *
 * A variant is `label=JSON` with any of: batchLimits, threads, sessionOptions (merged into the
 * ONNX Runtime session options; see bench-worker.ts).
 */
import path from "node:path";
import os from "node:os";
import { parseArgs } from "node:util";
import type { BatchLimits } from "../src/inference/batching/batch-scheduler.js";
import { settle } from "./engine-workloads.js";
import { median, quantile, relativeSpread, round } from "./stats.js";
import { BenchWorker, type RunResult } from "./worker-protocol.js";
import { buildWorkloads, readModelTokenizer, workloadSpecs } from "./workloads.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "test/minilm-l6" },
    dtype: { type: "string", default: "fp32" },
    workload: { type: "string", default: "passages-50" },
    rounds: { type: "string", default: "12" },
    variant: { type: "string", multiple: true, default: [] },
    "models-dir": { type: "string", default: "build/models" },
    corpus: { type: "string", default: "../shared/datasets/beir/scifact/corpus.jsonl" },
    queries: { type: "string", default: "../shared/datasets/beir/scifact/queries.jsonl" },
  },
});

interface Variant {
  label: string;
  batchLimits?: Partial<BatchLimits>;
  threads?: number;
  sessionOptions?: Record<string, unknown>;
}

const variants: Variant[] = values.variant.map((text) => {
  const at = text.indexOf("=");
  if (at < 0) throw new Error(`--variant ${text}: expected label=JSON`);
  return { label: text.slice(0, at), ...(JSON.parse(text.slice(at + 1)) as Omit<Variant, "label">) };
});
if (variants.length === 0) variants.push({ label: "default" });
const rounds = Number(values.rounds);
const dtype = values.dtype as "fp32" | "int8";
const spec = workloadSpecs.find((candidate) => candidate.name === values.workload);
if (!spec) throw new Error(`--workload ${values.workload}: expected one of ${workloadSpecs.map((s) => s.name).join(", ")}`);

const tokenizer = readModelTokenizer(path.join(values["models-dir"], values.model));
const [workload] = buildWorkloads({ corpus: values.corpus, queries: values.queries }, tokenizer, [spec], rounds + 1);
const loadBefore = os.loadavg();
const workers: BenchWorker[] = [];
for (const variant of variants) {
  workers.push(
    await BenchWorker.start({ kind: "ours", model: values.model, modelsDir: values["models-dir"], dtype, threads: variant.threads, batchLimits: variant.batchLimits, sessionOptions: variant.sessionOptions }),
  );
}
const runs: RunResult[][] = variants.map(() => []);
try {
  for (const worker of workers) await worker.call({ type: "run", request: workload.requests[0] });
  for (let round = 1; round <= rounds; round++) {
    for (let k = 0; k < workers.length; k++) {
      const index = (k + round) % workers.length;
      await settle();
      runs[index].push(await workers[index].call({ type: "run", request: workload.requests[round] }));
    }
  }
} finally {
  for (const worker of workers) await worker.stop();
}

const loadAfter = os.loadavg();
console.log(`${values.model} ${dtype} ${spec.name}, ${rounds} rounds, load average ${loadBefore[0].toFixed(2)} → ${loadAfter[0].toFixed(2)}`);
console.log(`${"variant".padEnd(28)} ${"p50 ms".padStart(8)} ${"min ms".padStart(8)} ${"noise".padStart(6)} ${"vs first (paired p25/p50/p75)".padStart(32)} ${"padded/real".padStart(12)} ${"batches".padStart(8)}`);
const summary = variants.map((variant, index) => {
  const times = runs[index].map((run) => run.ms);
  const paired = runs[index].map((run, round) => runs[0][round].ms / run.ms);
  const padding = runs[index].reduce((sum, run) => sum + run.paddedTokens, 0) / runs[index].reduce((sum, run) => sum + run.realTokens, 0);
  const batches = runs[index].reduce((sum, run) => sum + run.batches, 0) / rounds;
  const quartiles = [0.25, 0.5, 0.75].map((q) => quantile(paired, q));
  console.log(
    `${variant.label.padEnd(28)} ${median(times).toFixed(0).padStart(8)} ${Math.min(...times).toFixed(0).padStart(8)} ${`${(relativeSpread(times) * 100).toFixed(0)}%`.padStart(6)} ${quartiles.map((x) => `${x.toFixed(2)}x`).join(" / ").padStart(32)} ${padding.toFixed(3).padStart(12)} ${batches.toFixed(1).padStart(8)}`,
  );
  return { variant: variant.label, p50_ms: round(median(times)), min_ms: round(Math.min(...times)), speedup_vs_first: quartiles.map((x) => round(x, 3)), padding: round(padding, 3), batches: round(batches, 1) };
});
console.log(JSON.stringify({ bench: "levers", model: values.model, dtype, workload: spec.name, rounds, load: [round(loadBefore[0], 2), round(loadAfter[0], 2)], summary }));
