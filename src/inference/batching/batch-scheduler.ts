import { abortError } from "../../errors/abort-error.js";
import { Admission } from "./admission.js";

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
  /** Pairs admitted and not yet answered across all requests; beyond it new requests get `queue_full` (429). */
  maxQueuedPairs: number;
}

export const defaultBatchLimits: BatchLimits = { maxBatchTokens: 1024, maxBatchSize: 64, maxQueuedPairs: 100_000 };

/** What the scheduler batches: anything with a length in tokens (a cross-encoder pair, a text to embed). */
export interface BatchItem {
  /** Sequence length in tokens, special tokens included: what the batch pads to. */
  readonly length: number;
}

/** Turns a batch into output rows; `prepare` builds the batch's inputs (tensors) right before `execute`. */
export interface BatchExecutor<Item extends BatchItem, Prepared> {
  /** Numbers per output row (a head's labels, an embedding's dimensions). */
  rowWidth: number;
  prepare(items: readonly Item[]): Prepared;
  /** Row-major [items, rowWidth]. */
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

interface Job<Item extends BatchItem> {
  pairs: readonly Item[];
  /** Pair indices in ascending length, so consecutive pairs pad little. */
  order: Uint32Array;
  /** Next position in `order` not yet taken into a batch. */
  next: number;
  remaining: number;
  rows: Float32Array;
  resolve(rows: Float32Array): void;
  reject(error: unknown): void;
  detach(): void;
  settled: boolean;
}

interface TakenBatch<Item extends BatchItem> {
  pairs: Item[];
  owners: { job: Job<Item>; pairIndex: number }[];
}

/**
 * Cross-request dynamic batching over items with a token length (called pairs below, as a
 * cross-encoder's are). Concurrent `score` calls put their pairs in one queue;
 * batches are cut by a token budget and filled round-robin across requests, so one huge
 * request shares the model with small ones instead of blocking them, and a small request
 * (a quarter of a batch or less) goes into the very next batch. One batch computes at a
 * time: ONNX Runtime already uses every core inside a batch. Pairs are admitted into the
 * model's one `Admission` pool when they are queued and leave it when their batch is done.
 */
export class BatchScheduler<Item extends BatchItem, Prepared> {
  private readonly jobs: Job<Item>[] = [];
  private pumping = false;
  /** Settles when the batch in flight (if any) has finished; see `idle()`. */
  private pumped: Promise<void> = Promise.resolve();
  private pendingPairs = 0;
  /** Whether the last batch was cut from small requests only (see takeBatch). */
  private lastBatchWasSmallOnly = false;

  readonly admission: Admission;

  constructor(
    private readonly executor: BatchExecutor<Item, Prepared>,
    readonly limits: Omit<BatchLimits, "maxQueuedPairs"> & { maxQueuedPairs?: number } = defaultBatchLimits,
    private readonly onBatch?: (report: BatchReport) => void,
    /** The model's pool, shared with whoever else admits work for it (the server's host); default: a pool of its own. */
    admission?: Admission,
  ) {
    this.admission = admission ?? new Admission({ maxQueuedPairs: limits.maxQueuedPairs ?? defaultBatchLimits.maxQueuedPairs });
  }

  /** Pairs waiting to be batched, over all requests. */
  get queuedPairs(): number {
    return this.pendingPairs;
  }

  /** Output rows for `pairs` in input order, row-major [pairs, rowWidth]. */
  score(pairs: readonly Item[], signal?: AbortSignal): Promise<Float32Array> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (pairs.length === 0) return Promise.resolve(new Float32Array(0));
    try {
      this.admission.acquire({ pairs: pairs.length, tokens: totalLength(pairs) });
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Float32Array>((resolve, reject) => {
      const order = Uint32Array.from(pairs.keys()).sort((a, b) => pairs[a].length - pairs[b].length);
      const onAbort = (): void => this.cancel(job, abortError(signal as AbortSignal));
      const job: Job<Item> = {
        pairs,
        order,
        next: 0,
        remaining: pairs.length,
        rows: new Float32Array(pairs.length * this.executor.rowWidth),
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

  private cancel(job: Job<Item>, error: unknown): void {
    if (job.settled) return;
    // Pairs not yet in a batch leave the pool now; those in the batch computing leave it when it is done.
    this.pendingPairs -= job.pairs.length - job.next;
    let untakenTokens = 0;
    for (let position = job.next; position < job.pairs.length; position++) untakenTokens += job.pairs[job.order[position]].length;
    this.admission.release({ pairs: job.pairs.length - job.next, tokens: untakenTokens });
    job.next = job.pairs.length;
    this.finish(job, error);
  }

  private finish(job: Job<Item>, error?: unknown): void {
    job.settled = true;
    job.detach();
    const position = this.jobs.indexOf(job);
    if (position >= 0) this.jobs.splice(position, 1);
    if (error === undefined) job.resolve(job.rows);
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
  private takeBatch(): TakenBatch<Item> | undefined {
    const waiting = this.jobs.filter((job) => job.next < job.pairs.length);
    if (waiting.length === 0) return undefined;
    const { maxBatchTokens, maxBatchSize } = this.limits;
    // Small by the request's size, not by what is left of it: the tail of a large request waits its turn.
    const isSmall = (job: Job<Item>): boolean => {
      const longestPair = job.pairs[job.order[job.pairs.length - 1]].length;
      return job.pairs.length <= Math.max(1, Math.floor(maxBatchSize / 4)) && job.pairs.length * longestPair <= maxBatchTokens / 4;
    };
    const small = this.lastBatchWasSmallOnly ? [] : waiting.filter(isSmall);
    this.lastBatchWasSmallOnly = small.length > 0 && small.length < waiting.length;
    const candidates = this.lastBatchWasSmallOnly ? small : waiting;

    const batch: TakenBatch<Item> = { pairs: [], owners: [] };
    let longest = 0;
    let firstServed: Job<Item> | undefined;
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

  /**
   * Resolves once no batch is computing. Release the model's session only after this: a
   * session released under a running batch takes the process down in native code.
   */
  idle(): Promise<void> {
    return this.pumped;
  }

  private pump(): Promise<void> {
    if (this.pumping) return this.pumped;
    this.pumped = this.runBatches();
    return this.pumped;
  }

  private async runBatches(): Promise<void> {
    this.pumping = true;
    try {
      // The next batch is cut only when the previous one is done, and after one turn of the
      // event loop, so requests that arrived meanwhile (queued messages, I/O) still get into it.
      // onnxruntime-node computes on the calling thread, so cutting and preparing it earlier
      // would overlap nothing and only make newcomers wait a batch more.
      let batch = this.takeBatch();
      // While batches follow each other, the service rate is measured over wall time, so what
      // this thread does between them (tokenizing new requests, messages) is counted too.
      let previousEnd: number | undefined;
      while (batch !== undefined) {
        let rows: Float32Array | undefined;
        let failure: unknown;
        const started = performance.now();
        try {
          rows = await this.executor.execute(this.executor.prepare(batch.pairs));
        } catch (error) {
          failure = error;
        }
        const ended = performance.now();
        this.admission.recordBatch(totalLength(batch.pairs), ended - (previousEnd ?? started));
        this.settle(batch, rows, failure, ended - started);
        await nextTurn();
        previousEnd = ended;
        batch = this.takeBatch();
      }
    } finally {
      this.pumping = false;
    }
  }

  private settle(batch: TakenBatch<Item>, rows: Float32Array | undefined, failure: unknown, milliseconds: number): void {
    const width = this.executor.rowWidth;
    this.admission.release({ pairs: batch.pairs.length, tokens: totalLength(batch.pairs) });
    const requests = new Set<Job<Item>>();
    let realTokens = 0;
    let longest = 0;
    batch.owners.forEach(({ job, pairIndex }, row) => {
      requests.add(job);
      const length = job.pairs[pairIndex].length;
      realTokens += length;
      longest = Math.max(longest, length);
      if (job.settled) return;
      if (rows === undefined) {
        this.cancel(job, failure);
        return;
      }
      job.rows.set(rows.subarray(row * width, (row + 1) * width), pairIndex * width);
      if (--job.remaining === 0) this.finish(job);
    });
    this.onBatch?.({ pairs: batch.pairs.length, requests: requests.size, realTokens, paddedTokens: longest * batch.pairs.length, milliseconds });
  }
}

/** Resolves after pending I/O callbacks and messages have run (setImmediate runs after the poll phase). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Tokens in a list of items: what they cost the model, before padding. */
function totalLength(items: readonly BatchItem[]): number {
  let tokens = 0;
  for (const item of items) tokens += item.length;
  return tokens;
}
