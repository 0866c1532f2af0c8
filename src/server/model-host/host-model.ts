import { loadBackend, pickBackend } from "../../backends/load-reranker.js";
import type { ModelSpec, ServerConfig } from "../../config/load-settings.js";
import { Admission } from "../../inference/batching/admission.js";
import type { BatchReport } from "../../inference/batching/batch-scheduler.js";
import { createReranker } from "../../reranker/rerank.js";
import type { ServedReranker } from "../model-registry.js";
import type { BackendLoadRequest } from "./backend-load-request.js";
import { WorkerHostedBackend, type WorkerHostOptions } from "./worker-host.js";

/** What the server is told about a hosted model as it runs. */
export interface ModelHostEvents {
  onBatch(report: BatchReport): void;
  onWorkerStopped?: WorkerHostOptions["onWorkerStopped"];
  onWorkerRestarted?: WorkerHostOptions["onWorkerRestarted"];
}

/** The settings a hosted model runs with. */
export type ModelHostSettings = Pick<ServerConfig, "modelSource" | "dtype" | "threads" | "batchLimits" | "requestTimeoutMs" | "maxWindowsPerRequest" | "maxTokensPerRequest">;

/**
 * Loads one served model with whatever backend it names (or its directory holds) and hosts it
 * where the registry says: on a supervised worker thread of its own for backends that compute
 * on the calling thread, in the server's process for backends that only wait on the network.
 * Either way the model gets one admission pool (its queue bound, the request deadline and the
 * per-request limits), and the server sees only the reranker contract.
 */
export async function hostModel(spec: ModelSpec, config: ModelHostSettings, events: ModelHostEvents): Promise<ServedReranker> {
  const request: BackendLoadRequest = {
    backend: spec.backend,
    model: spec.id,
    dtype: spec.dtype ?? config.dtype,
    threads: config.threads,
    modelsDir: config.modelSource.modelsDir,
    cacheDir: config.modelSource.cacheDir,
    offline: config.modelSource.offline,
    hub: config.modelSource.hub,
    batchLimits: config.batchLimits,
    options: spec.options,
  };
  const registration = pickBackend(request);
  const admission = new Admission({
    maxQueuedPairs: config.batchLimits.maxQueuedPairs,
    deadlineMs: config.requestTimeoutMs,
    maxPairsPerRequest: config.maxWindowsPerRequest,
    maxTokensPerRequest: config.maxTokensPerRequest,
  });
  const backend =
    registration.host === "worker"
      ? await WorkerHostedBackend.load({ ...request, backend: registration.name }, admission, { backendModuleUrl: registration.moduleUrl, ...events })
      : await loadBackend({ ...request, backend: registration.name, admission, onBatch: events.onBatch });
  const reranker = createReranker(backend);
  return {
    get info() {
      return reranker.info;
    },
    rerank: reranker.rerank,
    dispose: reranker.dispose,
    get queuedPairs() {
      return admission.outstandingPairs;
    },
    get available() {
      return !(backend instanceof WorkerHostedBackend) || backend.available;
    },
  };
}
