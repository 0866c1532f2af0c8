import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { abortError } from "../../errors/abort-error.js";
import type { Admission } from "../../inference/batching/admission.js";
import type { BatchReport } from "../../inference/batching/batch-scheduler.js";
import type { BackendRerankCall, BackendRerankResult, RerankerBackend } from "../../reranker/reranker-spec.js";
import type { RerankerInfo } from "../../reranker/types.js";
import type { BackendLoadRequest } from "./backend-load-request.js";
import { deserializeError, type MessageFromWorker, type MessageToWorker, type WorkerData } from "./worker-protocol.js";

interface Pending {
  resolve(result: BackendRerankResult): void;
  reject(error: unknown): void;
  detach(): void;
}

// The worker entry sits next to this file, as .ts under tsx (tests, development) and .js once built.
const workerEntry = new URL(`./model-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Starts the worker; a TypeScript entry first registers tsx in the worker, which does not inherit the parent's loader hooks. */
function startWorker(data: WorkerData): Worker {
  if (!workerEntry.pathname.endsWith(".ts")) return new Worker(workerEntry, { workerData: data });
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerEntry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/**
 * A backend running on a worker thread of its own, seen from the HTTP thread as a backend.
 * The model's admission pool is shared with the worker: a request whose documents alone
 * cannot fit is refused here at once, even while the worker is in the middle of a batch; the
 * worker admits the exact pairs once it has tokenized them. Cancellation and timeouts reject
 * here at once too, and tell the worker to drop the queued pairs.
 */
export class WorkerHostedBackend implements RerankerBackend {
  readonly specificationVersion = "v1";
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: Error | undefined;

  private constructor(
    readonly info: RerankerInfo,
    private readonly worker: Worker,
    readonly admission: Admission,
    private readonly onBatch: ((report: BatchReport) => void) | undefined,
  ) {
    worker.on("message", (message: MessageFromWorker) => this.receive(message));
    worker.on("error", (error) => this.stop(error));
    worker.on("exit", (code) => this.stop(new Error(`the model worker for ${info.id} exited (code ${code}); restart the server`)));
  }

  /** Starts a worker, loads the backend there (files, session, warm-up) and resolves once it is ready. */
  static load(request: BackendLoadRequest, admission: Admission, options: { backendModuleUrl?: string; onBatch?: (report: BatchReport) => void } = {}): Promise<WorkerHostedBackend> {
    const worker = startWorker({ load: request, backendModuleUrl: options.backendModuleUrl, admission: { buffer: admission.sharedBuffer, maxQueuedPairs: admission.maxQueuedPairs } });
    return new Promise((resolve, reject) => {
      const onMessage = (message: MessageFromWorker) => {
        if (message.type === "loaded") {
          cleanup();
          resolve(new WorkerHostedBackend(message.info, worker, admission, options.onBatch));
        } else if (message.type === "load_failed") {
          cleanup();
          void worker.terminate();
          reject(deserializeError(message.error));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the model worker for ${request.model} exited (code ${code}) while loading`));
      };
      const cleanup = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
  }

  doRerank(call: BackendRerankCall): Promise<BackendRerankResult> {
    const { signal, ...scoring } = call;
    if (this.stopped) return Promise.reject(this.stopped);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    try {
      // Every document is at least one pair: if even that cannot fit, say so now rather than after the worker's batch.
      this.admission.assertRoomFor(call.documents.length);
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.nextId++;
    return new Promise<BackendRerankResult>((resolve, reject) => {
      const onAbort = () => {
        this.settle(id)?.reject(abortError(signal as AbortSignal));
        this.send({ type: "cancel", id });
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, { resolve, reject, detach: () => signal?.removeEventListener("abort", onAbort) });
      this.send({ type: "rerank", id, call: { ...scoring, documents: [...call.documents] } });
    });
  }

  async dispose(): Promise<void> {
    if (this.stopped) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.send({ type: "dispose" });
    // The worker exits by itself once the backend is released; a stuck one is stopped after a grace period.
    const grace = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(grace);
  }

  private receive(message: MessageFromWorker): void {
    if (message.type === "result") this.settle(message.id)?.resolve(message.result);
    else if (message.type === "failed") this.settle(message.id)?.reject(deserializeError(message.error));
    else if (message.type === "batch") this.onBatch?.(message.report);
  }

  /** Removes a request from the books; undefined when it was already settled (answered after a cancel). */
  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry === undefined) return undefined;
    this.pending.delete(id);
    entry.detach();
    return entry;
  }

  private send(message: MessageToWorker): void {
    if (!this.stopped) this.worker.postMessage(message);
  }

  private stop(error: Error): void {
    if (this.stopped) return;
    this.stopped = error;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }
}
