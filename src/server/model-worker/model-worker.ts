import { parentPort, workerData } from "node:worker_threads";
import { loadReranker } from "../../reranker/load-reranker.js";
import { serializeError, type MessageFromWorker, type MessageToWorker, type WorkerModelOptions } from "./worker-protocol.js";

/**
 * Worker-thread entry that owns one model. onnxruntime-node's `session.run` computes on the
 * calling thread (it is only deferred with setImmediate), so a batch blocks whatever event
 * loop runs it; here that is this worker's, and the HTTP thread keeps answering /health,
 * 429s and timeouts while batches compute. Tokenization happens here too.
 */
const port = parentPort;
if (port === null) throw new Error("model-worker.ts must run as a worker thread");
const post = (message: MessageFromWorker) => port.postMessage(message);
const options = workerData as WorkerModelOptions;
const controllers = new Map<number, AbortController>();

try {
  const reranker = await loadReranker({ ...options, progress: false, onBatch: (report) => post({ type: "batch", report }) });
  port.on("message", (message: MessageToWorker) => {
    if (message.type === "rerank") {
      const controller = new AbortController();
      controllers.set(message.id, controller);
      reranker
        .rerank(message.query, message.documents, { ...message.options, signal: controller.signal })
        .then((response) => post({ type: "result", id: message.id, response }))
        .catch((error: unknown) => post({ type: "failed", id: message.id, error: serializeError(error) }))
        .finally(() => controllers.delete(message.id));
    } else if (message.type === "cancel") {
      controllers.get(message.id)?.abort();
    } else if (message.type === "dispose") {
      for (const controller of controllers.values()) controller.abort();
      void reranker.dispose().finally(() => {
        post({ type: "disposed" });
        port.close();
      });
    }
  });
  post({ type: "loaded", info: reranker.info });
} catch (error) {
  post({ type: "load_failed", error: serializeError(error) });
  port.close();
}
