import { CrossEncoderReranker, type CrossEncoderSettings } from "../backends/cross-encoder/cross-encoder-reranker.js";
import { readModelSourceDefaults } from "../config/model-source-defaults.js";
import type { DownloadProgressListener } from "../inference/model-resolution/hub-download.js";
import { parseDtype } from "../inference/model-resolution/onnx-variants.js";
import { resolveModel } from "../inference/model-resolution/resolve-model.js";
import { createTerminalProgress } from "./terminal-progress.js";

export interface LoadRerankerOptions {
  /** Hugging Face id (`org/name`) or a model directory path. */
  model: string;
  /** Directory of `<org>/<name>/` model folders (default: env `OPENRERANK_MODELS_DIR`). */
  modelsDir?: string;
  /** fp32 (default) | int8 | fp16 | q4: which ONNX file of the model to load. */
  dtype?: string;
  /** ONNX Runtime intra-op threads (default: all available cores). */
  threads?: number;
  /** Never touch the network (default: env `OPENRERANK_OFFLINE`). */
  offline?: boolean;
  /** Download cache (default: env `OPENRERANK_CACHE_DIR` or `~/.cache/openrerank`). */
  cacheDir?: string;
  /** Hub base URL (default: env `HF_ENDPOINT` or https://huggingface.co). */
  hubEndpoint?: string;
  /** Hub token (default: env `HF_TOKEN`). */
  hubToken?: string;
  /** Hub branch, tag or commit (default `main`). */
  revision?: string;
  /** Download progress: a listener, or true/false for a terminal bar (default: a bar when stderr is a TTY). */
  progress?: boolean | DownloadProgressListener;
  batchLimits?: CrossEncoderSettings["batchLimits"];
  onBatch?: CrossEncoderSettings["onBatch"];
}

/**
 * Loads a cross-encoder reranker: finds its files (directory, models dir, cache, hub), opens
 * the ONNX session and warms it up.
 *
 * ```ts
 * const reranker = await loadReranker({ model: "Xenova/ms-marco-MiniLM-L-6-v2" });
 * const { results } = await reranker.rerank("query", ["doc a", "doc b"], { topN: 1 });
 * await reranker.dispose();
 * ```
 */
export async function loadReranker(options: LoadRerankerOptions): Promise<CrossEncoderReranker> {
  const defaults = readModelSourceDefaults();
  const dtype = parseDtype(options.dtype ?? "fp32");
  const progress =
    typeof options.progress === "object" ? options.progress : (options.progress ?? process.stderr.isTTY) ? createTerminalProgress() : undefined;
  const resolved = await resolveModel({
    model: options.model,
    dtype,
    modelsDir: options.modelsDir ?? defaults.modelsDir,
    cacheDir: options.cacheDir ?? defaults.cacheDir,
    offline: options.offline ?? defaults.offline,
    hub: { endpoint: options.hubEndpoint ?? defaults.hubEndpoint, token: options.hubToken ?? defaults.hubToken, revision: options.revision ?? "main" },
    progress,
  });
  return CrossEncoderReranker.load(resolved, { dtype, threads: options.threads, batchLimits: options.batchLimits, onBatch: options.onBatch });
}
