/**
 * Child process of the benchmark (see worker-protocol.ts): loads one engine named by the JSON
 * spec in argv[2], answers "ready", then serves timed commands from the parent until it
 * disconnects.
 */
import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { AutoModelForSequenceClassification, AutoTokenizer, env as transformersEnv } from "@huggingface/transformers";
import type { BatchReport } from "../src/inference/batching/batch-scheduler.js";
import { PairEncoder } from "../src/backends/cross-encoder-onnx/pair-encoder.js";
import { readPairTemplate } from "../src/backends/cross-encoder-onnx/pair-template.js";
import { loadReranker } from "../src/backends/load-reranker.js";
import { MatMulRoofline } from "./matmul-roofline.js";
import type { RunResult, WorkerCommand, WorkerMessage, WorkerSpec } from "./worker-protocol.js";
import { readModelTokenizer, type RerankRequest } from "./workloads.js";

type Handler = (command: WorkerCommand) => Promise<unknown>;

const spec = JSON.parse(process.argv[2] ?? "{}") as WorkerSpec;

/**
 * Lever experiments: merge extra options into every session this process creates, without
 * touching the engine. The engine's own defaults are what runs when none are given.
 */
function patchSessionOptions(extra: Record<string, unknown> | undefined): void {
  if (!extra) return;
  const original = ort.InferenceSession.create.bind(ort.InferenceSession) as (...args: unknown[]) => Promise<ort.InferenceSession>;
  const patched = (pathOrBytes: unknown, options?: object) => original(pathOrBytes, { ...(options ?? {}), ...extra });
  (ort.InferenceSession as unknown as { create: typeof patched }).create = patched;
}

function memory(): { peakRssMb: number; rssMb: number } {
  return { peakRssMb: process.resourceUsage().maxRSS / 1024, rssMb: process.memoryUsage.rss() / 2 ** 20 };
}

async function oursHandler(settings: Extract<WorkerSpec, { kind: "ours" }>): Promise<Handler> {
  patchSessionOptions(settings.sessionOptions);
  let batches: BatchReport[] = [];
  const reranker = await loadReranker({
    model: settings.model,
    modelsDir: settings.modelsDir,
    dtype: settings.dtype,
    threads: settings.threads,
    offline: true,
    batchLimits: settings.batchLimits,
    onBatch: (report) => batches.push(report),
  });
  const directory = String(reranker.info.details.directory);
  const tokenizer = readModelTokenizer(directory);
  const tokenizerJson = JSON.parse(readFileSync(`${directory}/tokenizer.json`, "utf8")) as Parameters<typeof readPairTemplate>[0];
  const encoder = new PairEncoder(tokenizer, readPairTemplate(tokenizerJson, "bert"), reranker.info.contextLength ?? 512);
  return async (command) => {
    if (command.type === "run") {
      batches = [];
      const started = performance.now();
      await reranker.rerank(command.request.query, command.request.documents);
      const ms = performance.now() - started;
      const result: RunResult = {
        ms,
        pairs: batches.reduce((sum, batch) => sum + batch.pairs, 0),
        realTokens: batches.reduce((sum, batch) => sum + batch.realTokens, 0),
        paddedTokens: batches.reduce((sum, batch) => sum + batch.paddedTokens, 0),
        batches: batches.length,
        batchMs: batches.map((batch) => batch.milliseconds),
      };
      return result;
    }
    if (command.type === "tokenize") return timeTokenization(encoder, command.request, command.repeats);
    if (command.type === "memory") return memory();
    throw new Error(`an engine worker does not answer ${command.type}`);
  };
}

/**
 * The engine's tokenization of one request (the query once, then each document and its pair),
 * repeated; the median repeat, in microseconds per pair.
 */
function timeTokenization(encoder: PairEncoder, request: RerankRequest, repeats: number): { usPerPair: number; pairs: number } {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = process.hrtime.bigint();
    const query = encoder.encodeQuery(request.query);
    for (const document of request.documents) encoder.encodePair(query, encoder.tokenizer.encode(document).ids);
    times.push(Number(process.hrtime.bigint() - started) / 1000 / request.documents.length);
  }
  times.sort((a, b) => a - b);
  return { usPerPair: times[Math.floor(times.length / 2)], pairs: request.documents.length };
}

/**
 * Baseline 1, the status quo: transformers.js used the obvious way — AutoTokenizer and
 * AutoModelForSequenceClassification on the same local files, every pair tokenized with
 * padding and truncation, one model call on the whole list, then a sort by score.
 */
async function baselineHandler(settings: Extract<WorkerSpec, { kind: "baseline" }>): Promise<Handler> {
  transformersEnv.localModelPath = `${settings.modelsDir}/`;
  transformersEnv.allowRemoteModels = false;
  transformersEnv.allowLocalModels = true;
  const tokenizer = await AutoTokenizer.from_pretrained(settings.model);
  const model = await AutoModelForSequenceClassification.from_pretrained(settings.model, { dtype: settings.dtype === "int8" ? "q8" : "fp32" });
  return async (command) => {
    if (command.type === "run") {
      const { query, documents } = command.request;
      const started = performance.now();
      const inputs = tokenizer(Array<string>(documents.length).fill(query), { text_pair: documents, padding: true, truncation: true }) as { attention_mask: { data: BigInt64Array } };
      const { logits } = (await model(inputs)) as { logits: { data: Float32Array } };
      const scores = logits.data;
      Array.from(documents.keys()).sort((a, b) => scores[b] - scores[a]);
      const ms = performance.now() - started;
      let realTokens = 0;
      for (const bit of inputs.attention_mask.data) realTokens += Number(bit);
      const result: RunResult = { ms, pairs: documents.length, realTokens, paddedTokens: inputs.attention_mask.data.length, batches: 1, batchMs: [ms] };
      return result;
    }
    if (command.type === "memory") return memory();
    throw new Error(`the baseline worker does not answer ${command.type}`);
  };
}

async function rooflineHandler(settings: Extract<WorkerSpec, { kind: "roofline" }>): Promise<Handler> {
  patchSessionOptions(settings.sessionOptions);
  const roofline = await MatMulRoofline.create(settings, { dtype: settings.dtype, threads: settings.threads });
  return async (command) => {
    if (command.type === "roofline-calibrate") return roofline.calibrate(command.candidates, command.runs);
    if (command.type === "roofline-sample") return { gflops: await roofline.sample(command.rows) };
    if (command.type === "memory") return memory();
    throw new Error(`the roofline worker does not answer ${command.type}`);
  };
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

try {
  const started = performance.now();
  const handle = spec.kind === "ours" ? await oursHandler(spec) : spec.kind === "baseline" ? await baselineHandler(spec) : await rooflineHandler(spec);
  process.on("message", (message: { id: number; command: WorkerCommand }) => {
    handle(message.command).then(
      (value) => send({ id: message.id, ok: true, value }),
      (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
  send({ id: -1, ok: true, value: { loadMs: performance.now() - started } });
} catch (error) {
  send({ id: -1, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
}
