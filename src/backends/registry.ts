import { Type, type TSchema } from "@sinclair/typebox";
import type { Admission } from "../inference/batching/admission.js";
import type { BatchLimits, BatchReport } from "../inference/batching/batch-scheduler.js";
import type { DownloadProgressListener, HubSettings } from "../inference/model-resolution/hub-download.js";
import { missingModelFiles, resolveModel } from "../inference/model-resolution/resolve-model.js";
import type { RerankerBackend } from "../reranker/reranker-spec.js";
import { CrossEncoderBackend } from "./cross-encoder-onnx/cross-encoder-backend.js";
import { dtypes, onnxLayout, parseDtype } from "./cross-encoder-onnx/onnx-layout.js";

/** Everything a backend may be loaded with, every default already applied except the backend's own. */
export interface BackendLoadOptions {
  /** Hub id (`org/name`), a model directory, or whatever names a model for this backend. */
  model: string;
  modelsDir?: string;
  cacheDir: string;
  offline: boolean;
  hub: HubSettings;
  progress?: DownloadProgressListener;
  /** The weights variant, in the backend's terms (cross-encoder-onnx: fp32, int8, fp16, q4). */
  dtype?: string;
  /** Compute threads, for backends that compute. */
  threads?: number;
  batchLimits?: Partial<BatchLimits>;
  onBatch?: (report: BatchReport) => void;
  /** The model's admission pool when the host shares it across threads. */
  admission?: Admission;
  /** The backend's own options, checked against its `optionsSchema`. */
  options: Record<string, unknown>;
}

/** One row of the registry: a backend as data (transformers.js's SUPPORTED_TASKS pattern). */
export interface BackendRegistration {
  /** The name configs and `loadReranker({ backend })` use. */
  name: string;
  description: string;
  /**
   * Where the server runs it: `worker` for backends that compute on the calling thread (ONNX,
   * llama.cpp), so each model gets a thread of its own; `in-process` for backends that only
   * wait on the network.
   */
  host: "worker" | "in-process";
  /** The backend's own options (`options` of a model entry). */
  optionsSchema: TSchema;
  /** Whether a local model directory holds this backend's files, to pick a backend when none is named. */
  recognizes(directory: string): boolean;
  load(options: BackendLoadOptions): Promise<RerankerBackend>;
  /**
   * For backends registered outside this file and hosted on a worker thread: the module that
   * registers them, which the worker imports first (a worker has a registry of its own).
   */
  moduleUrl?: string;
}

const crossEncoderOnnx: BackendRegistration = {
  name: "cross-encoder-onnx",
  description: "A Hugging Face sequence-classification cross-encoder exported to ONNX (transformers.js layout), on ONNX Runtime.",
  host: "worker",
  optionsSchema: Type.Object({}, { additionalProperties: false }),
  recognizes: (directory) => dtypes.some((dtype) => missingModelFiles(directory, onnxLayout(dtype)).length === 0),
  async load(options) {
    const dtype = parseDtype(options.dtype ?? "fp32");
    const resolved = await resolveModel({ ...options, layout: onnxLayout(dtype) });
    return CrossEncoderBackend.load(resolved, { dtype, threads: options.threads, batchLimits: options.batchLimits, onBatch: options.onBatch, admission: options.admission });
  },
};

/** The backend used when none is named and no local directory says otherwise. */
export const defaultBackendName = crossEncoderOnnx.name;

const registrations = new Map<string, BackendRegistration>([[crossEncoderOnnx.name, crossEncoderOnnx]]);

/** Adds a backend to the registry (a plugin, or a test's fake backend). */
export function registerBackend(registration: BackendRegistration): void {
  registrations.set(registration.name, registration);
}

/** The registered backends, built-in first. */
export function registeredBackends(): BackendRegistration[] {
  return [...registrations.values()];
}

export function findBackend(name: string): BackendRegistration | undefined {
  return registrations.get(name);
}
