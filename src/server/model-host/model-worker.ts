import { parentPort, workerData } from "node:worker_threads";
import { loadBackend } from "../../backends/load-reranker.js";
import { Admission } from "../../inference/batching/admission.js";
import { serializeError, type MessageFromWorker, type MessageToWorker, type WorkerData } from "./worker-protocol.js";

/**
 * A model's own thread: it loads any registered backend and answers `doRerank` calls, so the
 * HTTP thread keeps answering /health, 429s and timeouts while batches compute (onnxruntime-node
 * and llama.cpp compute on the calling thread). Tokenization happens here too. Input was
 * validated on the HTTP thread; the backend's scheduler admits the exact pairs into the pool
 * it shares with that thread.
 */
const port = parentPort;
if (port === null) throw new Error("model-worker.ts must run as a worker thread");
const post = (message: MessageFromWorker) => port.postMessage(message);
const data = workerData as WorkerData;
const controllers = new Map<number, AbortController>();
let disposing = false;

try {
  if (data.backendModuleUrl !== undefined) await import(data.backendModuleUrl);
  const admission = new Admission(data.admission.limits, data.admission.buffer);
  const backend = await loadBackend({ ...data.load, admission, onBatch: (report) => post({ type: "batch", report }) });
  port.on("message", (message: MessageToWorker) => {
    if (message.type === "rerank") {
      const controller = new AbortController();
      controllers.set(message.id, controller);
      backend
        .doRerank({ ...message.call, signal: controller.signal })
        .then((result) => post({ type: "result", id: message.id, result }))
        .catch((error: unknown) => post({ type: "failed", id: message.id, error: serializeError(error) }))
        .finally(() => controllers.delete(message.id));
    } else if (message.type === "cancel") {
      controllers.get(message.id)?.abort();
    } else if (message.type === "dispose" && !disposing) {
      disposing = true;
      for (const controller of controllers.values()) controller.abort();
      void backend.dispose().finally(() => {
        post({ type: "disposed" });
        port.close();
      });
    }
  });
  post({ type: "loaded", info: backend.info });
} catch (error) {
  post({ type: "load_failed", error: serializeError(error) });
  port.close();
}
