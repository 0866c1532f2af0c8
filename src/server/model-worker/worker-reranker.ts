import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CrossEncoderInfo } from "../../backends/cross-encoder/cross-encoder-reranker.js";
import { OpenRerankError } from "../../errors/catalog.js";
import type { BatchReport } from "../../inference/batching/batch-scheduler.js";
import type { RerankOptions, RerankResponse } from "../../reranker/types.js";
import type { ServedReranker } from "../model-registry.js";
import { deserializeError, type MessageFromWorker, type MessageToWorker, type WorkerModelOptions } from "./worker-protocol.js";

interface Pending {
  pairs: number;
  resolve(response: RerankResponse): void;
  reject(error: unknown): void;
  detach(): void;
}

// The worker entry sits next to this file, as .ts under tsx (tests, development) and .js once built.
const workerEntry = new URL(`./model-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Starts the worker; a TypeScript entry first registers tsx in the worker, which does not inherit the parent's loader hooks. */
function startWorker(options: WorkerModelOptions): Worker {
  if (!workerEntry.pathname.endsWith(".ts")) return new Worker(workerEntry, { workerData: options });
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(workerEntry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: options });
}

/**
 * A reranker whose model runs on a worker thread, seen from the HTTP thread. Admission is
 * decided here, at once: when the pairs already sent and not yet answered plus this
 * request's would pass `maxQueuedPairs`, the request is refused with `queue_full` instead
 * of waiting for the worker, which may be in the middle of a batch. Cancellation and
 * timeouts reject here at once too, and tell the worker to drop the queued pairs.
 */
export class WorkerReranker implements ServedReranker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private outstandingPairs = 0;
  /** Recent throughput, for Retry-After: an exponential average of pairs per second over batches. */
  private pairsPerSecond = 0;
  private stopped: Error | undefined;

  private constructor(
    readonly info: CrossEncoderInfo,
    private readonly worker: Worker,
    private readonly maxQueuedPairs: number,
    private readonly onBatch: ((report: BatchReport) => void) | undefined,
  ) {
    worker.on("message", (message: MessageFromWorker) => this.receive(message));
    worker.on("error", (error) => this.stop(error));
    worker.on("exit", (code) => this.stop(new Error(`the model worker for ${info.id} exited (code ${code}); restart the server`)));
  }

  /** Starts a worker, loads the model there (files, session, warm-up) and resolves once it is ready. */
  static load(options: WorkerModelOptions & { batchLimits: { maxQueuedPairs: number } }, onBatch?: (report: BatchReport) => void): Promise<WorkerReranker> {
    const worker = startWorker(options);
    return new Promise((resolve, reject) => {
      const onMessage = (message: MessageFromWorker) => {
        if (message.type === "loaded") {
          cleanup();
          resolve(new WorkerReranker(message.info, worker, options.batchLimits.maxQueuedPairs, onBatch));
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
        reject(new Error(`the model worker for ${options.model} exited (code ${code}) while loading`));
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

  /** Pairs sent to the worker and not yet answered (queued or computing). */
  get queuedPairs(): number {
    return this.outstandingPairs;
  }

  rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResponse> {
    const { signal, ...scoring } = options;
    if (this.stopped) return Promise.reject(this.stopped);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.outstandingPairs > 0 && this.outstandingPairs + documents.length > this.maxQueuedPairs) return Promise.reject(this.queueFull(documents.length));
    const id = this.nextId++;
    return new Promise<RerankResponse>((resolve, reject) => {
      const onAbort = () => {
        this.settle(id)?.reject(abortReason(signal as AbortSignal));
        this.send({ type: "cancel", id });
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, { pairs: documents.length, resolve, reject, detach: () => signal?.removeEventListener("abort", onAbort) });
      this.outstandingPairs += documents.length;
      this.send({ type: "rerank", id, query, documents: [...documents], options: scoring });
    });
  }

  async dispose(): Promise<void> {
    if (this.stopped) return;
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.send({ type: "dispose" });
    // The worker exits by itself once the session is released; a stuck one is stopped after a grace period.
    const grace = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(grace);
  }

  private receive(message: MessageFromWorker): void {
    if (message.type === "result") this.settle(message.id)?.resolve(message.response);
    else if (message.type === "failed") this.settle(message.id)?.reject(deserializeError(message.error));
    else if (message.type === "batch") {
      const rate = (message.report.pairs * 1000) / Math.max(message.report.milliseconds, 0.001);
      this.pairsPerSecond = this.pairsPerSecond === 0 ? rate : 0.8 * this.pairsPerSecond + 0.2 * rate;
      this.onBatch?.(message.report);
    }
  }

  /** Removes a request from the books; undefined when it was already settled (answered after a cancel). */
  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry === undefined) return undefined;
    this.pending.delete(id);
    this.outstandingPairs -= entry.pairs;
    entry.detach();
    return entry;
  }

  private send(message: MessageToWorker): void {
    if (!this.stopped) this.worker.postMessage(message);
  }

  private queueFull(requestPairs: number): OpenRerankError {
    const retryAfterSeconds = Math.max(1, Math.ceil(this.outstandingPairs / Math.max(this.pairsPerSecond, 1)));
    return new OpenRerankError(
      "queue_full",
      `the scoring queue holds ${this.outstandingPairs} pairs and this request adds ${requestPairs}; the limit is ${this.maxQueuedPairs} queued pairs. Retry after ${retryAfterSeconds} s.`,
      { queuedPairs: this.outstandingPairs, requestPairs, maxQueuedPairs: this.maxQueuedPairs, retryAfterSeconds },
    );
  }

  private stop(error: Error): void {
    if (this.stopped) return;
    this.stopped = error;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof OpenRerankError) return reason;
  return new OpenRerankError("request_cancelled", "the request was cancelled before all documents were scored.", {});
}
