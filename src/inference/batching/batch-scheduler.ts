import { OpenRerankError } from "../../errors/catalog.js";
import type { EncodedPair } from "../tokenization/pair-encoder.js";

export interface BatchLimits {
  /**
   * Cap on batchSize × padded sequence length (tokens computed per batch, padding included).
   * Small batches of length-sorted pairs pad little and keep a layer's activations in cache:
   * 1024 was the fastest budget (within noise of the best) for hidden sizes 128, 384 and 768,
   * 1.15-1.3x faster than 8192; see docs/performance.md.
   */
  maxBatchTokens: number;
  /** Cap on pairs per batch, whatever their length. */
  maxBatchSize: number;
  /** Pairs that may wait across all requests; beyond it new requests get `queue_full` (429). */
  maxQueuedPairs: number;
}

export const defaultBatchLimits: BatchLimits = { maxBatchTokens: 1024, maxBatchSize: 64, maxQueuedPairs: 100_000 };

/** Turns a batch into the model's logits; `prepare` builds the batch's inputs (tensors) right before `execute`. */
export interface BatchExecutor<Prepared> {
  labels: number;
  prepare(pairs: readonly EncodedPair[]): Prepared;
  execute(prepared: Prepared): Promise<Float32Array>;
}

/** Reported after each batch, for metrics and benchmarks. */
export interface BatchReport {
  pairs: number;
  /** Distinct requests whose pairs shared this batch. */
  requests: number;
  realTokens: number;
  paddedTokens: number;
  milliseconds: number;
}

interface Job {
  pairs: readonly EncodedPair[];
  /** Pair indices in ascending length, so consecutive pairs pad little. */
  order: Uint32Array;
  /** Next position in `order` not yet taken into a batch. */
  next: number;
  remaining: number;
  logits: Float32Array;
  resolve(logits: Float32Array): void;
  reject(error: unknown): void;
  detach(): void;
  settled: boolean;
}

interface TakenBatch {
  pairs: EncodedPair[];
  owners: { job: Job; pairIndex: number }[];
}

/**
 * Cross-request dynamic batching. Concurrent `score` calls put their pairs in one queue;
 * batches are cut by a token budget and filled round-robin across requests, so one huge
 * request shares the model with small ones instead of blocking them, and a small request
 * (a quarter of a batch or less) goes into the very next batch. One batch computes at a
 * time: ONNX Runtime already uses every core inside a batch.
 */
export class BatchScheduler<Prepared> {
  private readonly jobs: Job[] = [];
  private pumping = false;
  private pendingPairs = 0;
  private lastBatchMs = 50;
  /** Pairs in the last batch: with a token budget, batches hold far fewer than maxBatchSize. */
  private lastBatchPairs = 1;
  /** Whether the last batch was cut from small requests only (see takeBatch). */
  private lastBatchWasSmallOnly = false;

  constructor(
    private readonly executor: BatchExecutor<Prepared>,
    readonly limits: BatchLimits = defaultBatchLimits,
    private readonly onBatch?: (report: BatchReport) => void,
  ) {}

  /** Pairs waiting to be batched, over all requests. */
  get queuedPairs(): number {
    return this.pendingPairs;
  }

  /** Logits for `pairs` in input order, row-major [pairs, labels]. */
  score(pairs: readonly EncodedPair[], signal?: AbortSignal): Promise<Float32Array> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (pairs.length === 0) return Promise.resolve(new Float32Array(0));
    if (this.pendingPairs > 0 && this.pendingPairs + pairs.length > this.limits.maxQueuedPairs) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((this.pendingPairs / this.lastBatchPairs) * this.lastBatchMs) / 1000));
      return Promise.reject(
        new OpenRerankError(
          "queue_full",
          `the scoring queue holds ${this.pendingPairs} pairs and this request adds ${pairs.length}; the limit is ${this.limits.maxQueuedPairs} queued pairs. Retry after ${retryAfterSeconds} s.`,
          { queuedPairs: this.pendingPairs, requestPairs: pairs.length, maxQueuedPairs: this.limits.maxQueuedPairs, retryAfterSeconds },
        ),
      );
    }
    return new Promise<Float32Array>((resolve, reject) => {
      const order = Uint32Array.from(pairs.keys()).sort((a, b) => pairs[a].length - pairs[b].length);
      const onAbort = (): void => this.cancel(job, abortError(signal as AbortSignal));
      const job: Job = {
        pairs,
        order,
        next: 0,
        remaining: pairs.length,
        logits: new Float32Array(pairs.length * this.executor.labels),
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
        settled: false,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.jobs.push(job);
      this.pendingPairs += pairs.length;
      // Start on the next turn of the event loop, so requests that arrive together batch together.
      if (!this.pumping) setImmediate(() => void this.pump());
    });
  }

  private cancel(job: Job, error: unknown): void {
    if (job.settled) return;
    this.pendingPairs -= job.pairs.length - job.next;
    job.next = job.pairs.length;
    this.finish(job, error);
  }

  private finish(job: Job, error?: unknown): void {
    job.settled = true;
    job.detach();
    const position = this.jobs.indexOf(job);
    if (position >= 0) this.jobs.splice(position, 1);
    if (error === undefined) job.resolve(job.logits);
    else job.reject(error);
  }

  /**
   * Cuts the next batch. Pairs are taken round-robin across requests (each request's in
   * ascending length) until the token budget or the size cap is reached. A small request (a
   * quarter of a batch or less) does not wait for its turn behind large ones: while large and
   * small requests wait together, every other batch is cut from the small ones only, so a
   * lone small request waits for at most the batch in flight, and a stream of small requests
   * still leaves half of the batches to the large ones.
   */
  private takeBatch(): TakenBatch | undefined {
    const waiting = this.jobs.filter((job) => job.next < job.pairs.length);
    if (waiting.length === 0) return undefined;
    const { maxBatchTokens, maxBatchSize } = this.limits;
    // Small by the request's size, not by what is left of it: the tail of a large request waits its turn.
    const isSmall = (job: Job): boolean => {
      const longestPair = job.pairs[job.order[job.pairs.length - 1]].length;
      return job.pairs.length <= Math.max(1, Math.floor(maxBatchSize / 4)) && job.pairs.length * longestPair <= maxBatchTokens / 4;
    };
    const small = this.lastBatchWasSmallOnly ? [] : waiting.filter(isSmall);
    this.lastBatchWasSmallOnly = small.length > 0 && small.length < waiting.length;
    const candidates = this.lastBatchWasSmallOnly ? small : waiting;

    const batch: TakenBatch = { pairs: [], owners: [] };
    let longest = 0;
    let firstServed: Job | undefined;
    for (const job of candidates) {
      if (batch.pairs.length >= maxBatchSize) break;
      while (job.next < job.pairs.length && batch.pairs.length < maxBatchSize) {
        const pairIndex = job.order[job.next];
        const pair = job.pairs[pairIndex];
        const newLongest = Math.max(longest, pair.length);
        // The first pair always goes in, even if alone it exceeds the budget.
        if (batch.pairs.length > 0 && (batch.pairs.length + 1) * newLongest > maxBatchTokens) break;
        longest = newLongest;
        batch.pairs.push(pair);
        batch.owners.push({ job, pairIndex });
        job.next++;
        firstServed ??= job;
      }
    }
    this.pendingPairs -= batch.pairs.length;
    // Round robin: the request whose turn it was goes to the back of the line for the next batch.
    if (firstServed) this.jobs.push(...this.jobs.splice(this.jobs.indexOf(firstServed), 1));
    return batch;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // The next batch is cut only when the previous one is done, and after one turn of the
      // event loop, so requests that arrived meanwhile (queued messages, I/O) still get into it.
      // onnxruntime-node computes on the calling thread, so cutting and preparing it earlier
      // would overlap nothing and only make newcomers wait a batch more.
      let batch = this.takeBatch();
      while (batch !== undefined) {
        let logits: Float32Array | undefined;
        let failure: unknown;
        const started = performance.now();
        try {
          logits = await this.executor.execute(this.executor.prepare(batch.pairs));
        } catch (error) {
          failure = error;
        }
        this.lastBatchMs = performance.now() - started;
        this.lastBatchPairs = batch.pairs.length;
        this.settle(batch, logits, failure);
        await nextTurn();
        batch = this.takeBatch();
      }
    } finally {
      this.pumping = false;
    }
  }

  private settle(batch: TakenBatch, logits: Float32Array | undefined, failure: unknown): void {
    const labels = this.executor.labels;
    const requests = new Set<Job>();
    let realTokens = 0;
    let longest = 0;
    batch.owners.forEach(({ job, pairIndex }, row) => {
      requests.add(job);
      const length = job.pairs[pairIndex].length;
      realTokens += length;
      longest = Math.max(longest, length);
      if (job.settled) return;
      if (logits === undefined) {
        this.cancel(job, failure);
        return;
      }
      job.logits.set(logits.subarray(row * labels, (row + 1) * labels), pairIndex * labels);
      if (--job.remaining === 0) this.finish(job);
    });
    this.onBatch?.({ pairs: batch.pairs.length, requests: requests.size, realTokens, paddedTokens: longest * batch.pairs.length, milliseconds: this.lastBatchMs });
  }
}

/** Resolves after pending I/O callbacks and messages have run (setImmediate runs after the poll phase). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function abortError(signal: AbortSignal): OpenRerankError {
  const reason: unknown = signal.reason;
  if (reason instanceof OpenRerankError) return reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new OpenRerankError("request_timeout", "the request timed out before all documents were scored.", {});
  }
  return new OpenRerankError("request_cancelled", "the request was cancelled before all documents were scored.", {});
}
