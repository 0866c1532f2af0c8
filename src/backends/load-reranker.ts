import { Value } from "@sinclair/typebox/value";
import { OpenRerankError } from "../errors/catalog.js";
import type { Admission } from "../inference/batching/admission.js";
import type { BatchLimits, BatchReport } from "../inference/batching/batch-scheduler.js";
import type { DownloadProgressListener, HubSettings } from "../inference/model-resolution/hub-download.js";
import { defaultCacheDir, defaultHubEndpoint, looksLikeDirectory } from "../inference/model-resolution/resolve-model.js";
import { createReranker } from "../reranker/rerank.js";
import type { RerankerBackend } from "../reranker/reranker-spec.js";
import type { Reranker } from "../reranker/types.js";
import { defaultBackendName, findBackend, registeredBackends, type BackendRegistration } from "./registry.js";

export interface LoadRerankerOptions {
  /** A backend registry name, e.g. `cross-encoder-onnx`. @default picked from the model directory's files, else `cross-encoder-onnx` */
  backend?: string;
  /** Hugging Face id (`org/name`) or a model directory path. */
  model: string;
  /** Directory of `<org>/<name>/` model folders, searched before the cache. */
  modelsDir?: string;
  /** Download cache. @default `~/.cache/openrerank` */
  cacheDir?: string;
  /** Never touch the network. @default false */
  offline?: boolean;
  /** The hub to download from. @default `{ endpoint: "https://huggingface.co", revision: "main" }`, no token */
  hub?: Partial<HubSettings>;
  /** Weights variant; for cross-encoder-onnx fp32 | int8 | fp16 | q4 (which ONNX file to load). @default fp32 */
  dtype?: string;
  /** Compute threads (ONNX Runtime intra-op threads). @default all available cores */
  threads?: number;
  /** Download progress (the CLI passes a terminal bar). @default none */
  progress?: DownloadProgressListener;
  /** Batch token budget, batch size and queue bound. @default 1024 tokens, 64 pairs, 100,000 queued pairs */
  batchLimits?: Partial<BatchLimits>;
  /** Called after every model batch (metrics, benchmarks). */
  onBatch?: (report: BatchReport) => void;
  /** The backend's own options (see its `optionsSchema`). @default {} */
  options?: Record<string, unknown>;
}

/**
 * Loads a reranker with the backend the options name, or the one whose files the model
 * directory holds: finds its files (directory, models dir, cache, hub), loads and warms it up.
 * Takes explicit options only; the CLI and server read the environment, this never does.
 *
 * ```ts
 * const reranker = await loadReranker({ model: "Xenova/ms-marco-MiniLM-L-6-v2" });
 * const { results } = await reranker.rerank("query", ["doc a", "doc b"], { topN: 1 });
 * await reranker.dispose();
 * ```
 */
export async function loadReranker(options: LoadRerankerOptions): Promise<Reranker> {
  return createReranker(await loadBackend(options));
}

/** Loads the backend itself (what a model host serves); `rerank()` turns it into a `Reranker`. */
export async function loadBackend(options: LoadRerankerOptions & { admission?: Admission }): Promise<RerankerBackend> {
  const registration = pickBackend(options);
  const backendOptions = options.options ?? {};
  const problem = Value.Errors(registration.optionsSchema, backendOptions).First();
  if (problem !== undefined) {
    const where = problem.path === "" ? "options" : `options${problem.path.replaceAll("/", ".")}`;
    throw new OpenRerankError("invalid_option", `backend ${registration.name}: ${where}: ${problem.message}.`, { backend: registration.name, path: problem.path });
  }
  return registration.load({
    ...options,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    offline: options.offline ?? false,
    hub: { endpoint: options.hub?.endpoint ?? defaultHubEndpoint, token: options.hub?.token, revision: options.hub?.revision ?? "main" },
    options: backendOptions,
  });
}

/** The named backend, or the first whose files a local model directory holds, or the default. */
export function pickBackend(options: { backend?: string; model: string }): BackendRegistration {
  if (options.backend !== undefined) {
    const named = findBackend(options.backend);
    if (named !== undefined) return named;
    const known = registeredBackends().map((backend) => backend.name).join(", ");
    throw new OpenRerankError("invalid_option", `backend "${options.backend}" is not registered; use one of ${known}.`, { field: "backend", value: options.backend });
  }
  const directory = looksLikeDirectory(options.model);
  const recognized = directory === undefined ? undefined : registeredBackends().find((backend) => backend.recognizes(directory));
  return recognized ?? (findBackend(defaultBackendName) as BackendRegistration);
}
