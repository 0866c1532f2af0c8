import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { abortError } from "../../errors/abort-error.js";
import { OpenRerankError } from "../../errors/catalog.js";
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

export interface WorkerHostOptions {
  /** The registering module of a backend that is not built in; the worker imports it first. */
  backendModuleUrl?: string;
  onBatch?: (report: BatchReport) => void;
  /** Told each time the worker stopped and a restart is scheduled. */
  onWorkerStopped?: (event: { reason: string; restartInMs: number }) => void;
  /** Told each time a restarted worker has loaded the model again. */
  onWorkerRestarted?: () => void;
  /** First delay before a restart; it doubles while restarts keep failing, up to `maxRestartDelayMs`. @default 500 */
  restartDelayMs?: number;
  /** @default 30000 */
  maxRestartDelayMs?: number;
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

/** Starts a worker and resolves with the model's info once it has loaded, or rejects with why it could not. */
function loadInWorker(data: WorkerData): Promise<{ worker: Worker; info: RerankerInfo }> {
  const worker = startWorker(data);
  return new Promise((resolve, reject) => {
    const onMessage = (message: MessageFromWorker) => {
      if (message.type === "loaded") {
        cleanup();
        resolve({ worker, info: message.info });
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
      reject(new Error(`the model worker for ${data.load.model} exited (code ${code}) while loading`));
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

/**
 * A backend running on a worker thread of its own, seen from the HTTP thread as a backend, and
 * supervised: when the worker exits or runs out of memory, its in-flight requests fail at once
 * with 503 `model_unavailable` (with Retry-After), the model reports itself unavailable, and a
 * new worker is started after a delay that grows while restarts keep failing.
 *
 * The model's admission pool is shared with the worker: a request whose documents alone cannot
 * fit, or that would wait past its deadline, is refused here at once, even while the worker is
 * in the middle of a batch; the worker admits the exact cost once it has tokenized the request.
 * Cancellation and timeouts reject here at once too, and tell the worker to drop the pairs.
 */
export class WorkerHostedBackend implements RerankerBackend {
  readonly specificationVersion = "v1";
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private worker: Worker | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartAt = 0;
  private restartDelayMs: number;
  private disposed = false;
  private disposing: Promise<void> | undefined;
  /** Worker restarts so far (for metrics). */
  restarts = 0;

  private constructor(
    private currentInfo: RerankerInfo,
    worker: Worker,
    private readonly data: WorkerData,
    readonly admission: Admission,
    private readonly options: WorkerHostOptions,
  ) {
    this.restartDelayMs = options.restartDelayMs ?? 500;
    this.attach(worker);
  }

  /** Starts a worker, loads the backend there (files, session, warm-up) and resolves once it is ready. */
  static async load(request: BackendLoadRequest, admission: Admission, options: WorkerHostOptions = {}): Promise<WorkerHostedBackend> {
    const data: WorkerData = { load: request, backendModuleUrl: options.backendModuleUrl, admission: { buffer: admission.sharedBuffer, limits: admission.limits } };
    const { worker, info } = await loadInWorker(data);
    return new WorkerHostedBackend(info, worker, data, admission, options);
  }

  get info(): RerankerInfo {
    return this.currentInfo;
  }

  /** False while the worker is down and a restart is pending or loading. */
  get available(): boolean {
    return this.worker !== undefined;
  }

  doRerank(call: BackendRerankCall): Promise<BackendRerankResult> {
    const { signal, ...scoring } = call;
    if (this.worker === undefined) return Promise.reject(this.unavailableError());
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

  /** Cancels what is queued, lets the batch in flight finish, releases the model and ends the worker. Idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= this.stopWorker();
    return this.disposing;
  }

  private async stopWorker(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    const stopping = new OpenRerankError("shutting_down", "the server is shutting down; this request's remaining documents were dropped. Retry on another instance.", {});
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(stopping);
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    this.send({ type: "dispose" });
    // The worker exits by itself once the backend is released; a stuck one is stopped after a grace period.
    const grace = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(grace);
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    const startedAt = Date.now();
    worker.on("message", (message: MessageFromWorker) => this.receive(message));
    worker.on("error", (error) => this.workerStopped(worker, `failed: ${error.message}`, startedAt));
    worker.on("exit", (code) => this.workerStopped(worker, `exited with code ${code}`, startedAt));
  }

  private receive(message: MessageFromWorker): void {
    if (message.type === "result") this.settle(message.id)?.resolve(message.result);
    else if (message.type === "failed") this.settle(message.id)?.reject(deserializeError(message.error));
    else if (message.type === "batch") this.options.onBatch?.(message.report);
  }

  /** Fails what the worker held, forgets its admitted work and schedules a new worker. */
  private workerStopped(worker: Worker, reason: string, startedAt: number): void {
    if (this.worker !== worker) return; // the second of "error" and "exit", or a worker already replaced
    this.worker = undefined;
    if (this.disposed) return;
    // A worker that ran for a while before it stopped earns a quick restart; one that keeps stopping waits longer each time.
    if (Date.now() - startedAt > 60_000) this.restartDelayMs = this.options.restartDelayMs ?? 500;
    this.scheduleRestart(`the model worker for ${this.currentInfo.id} ${reason}`);
  }

  private scheduleRestart(reason: string): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(delay * 2, this.options.maxRestartDelayMs ?? 30_000);
    this.restartAt = Date.now() + delay;
    this.options.onWorkerStopped?.({ reason, restartInMs: delay });
    const error = this.unavailableError(reason);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    this.admission.reset();
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    try {
      const { worker, info } = await loadInWorker(this.data);
      if (this.disposed) {
        await worker.terminate();
        return;
      }
      this.currentInfo = info;
      this.restarts++;
      this.attach(worker);
      this.options.onWorkerRestarted?.();
    } catch (error) {
      if (!this.disposed) this.scheduleRestart(`restarting the model worker for ${this.currentInfo.id} failed: ${(error as Error).message}`);
    }
  }

  private unavailableError(reason = `the model worker for ${this.currentInfo.id} stopped`): OpenRerankError {
    // The restart delay, plus a few seconds for the model to load again.
    const retryAfterSeconds = Math.max(1, Math.ceil((this.restartAt - Date.now()) / 1000) + Math.ceil(this.currentInfo.loadMs / 1000) + 1);
    return new OpenRerankError("model_unavailable", `${reason}; it is being restarted. Retry after ${retryAfterSeconds} s.`, { model: this.currentInfo.id, retryAfterSeconds });
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
    this.worker?.postMessage(message);
  }
}
