import { loadBackend, pickBackend } from "../../backends/load-reranker.js";
import type { ModelSpec, ServerConfig } from "../../config/load-settings.js";
import { Admission } from "../../inference/batching/admission.js";
import type { BatchReport } from "../../inference/batching/batch-scheduler.js";
import { createReranker } from "../../reranker/rerank.js";
import type { ServedReranker } from "../model-registry.js";
import type { BackendLoadRequest } from "./backend-load-request.js";
import { WorkerHostedBackend } from "./worker-host.js";

/**
 * Loads one served model with whatever backend it names (or its directory holds) and hosts it
 * where the registry says: on a worker thread of its own for backends that compute on the
 * calling thread, in the server's process for backends that only wait on the network. Either
 * way the model gets one admission pool, and the server sees only the reranker contract.
 */
export async function hostModel(spec: ModelSpec, config: Pick<ServerConfig, "modelSource" | "dtype" | "threads" | "batchLimits">, onBatch: (report: BatchReport) => void): Promise<ServedReranker> {
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
  const admission = new Admission(config.batchLimits.maxQueuedPairs);
  const backend =
    registration.host === "worker"
      ? await WorkerHostedBackend.load({ ...request, backend: registration.name }, admission, { backendModuleUrl: registration.moduleUrl, onBatch })
      : await loadBackend({ ...request, backend: registration.name, admission, onBatch });
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
  };
}
