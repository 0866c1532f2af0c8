import { OpenRerankError } from "../../errors/catalog.js";

/**
 * One model's bounded pool of admitted work, counted in pairs (a pair = one scored window of
 * a document, or one backend call), with the one Retry-After estimate a refusal carries.
 *
 * The counters live in a SharedArrayBuffer, so the same pool is seen by the HTTP thread and
 * by the model's worker thread: the worker admits a request's exact pair count when it has
 * tokenized it, and the HTTP thread refuses at once, without waiting for a worker busy in a
 * batch, a request whose documents alone (at least one pair each) could not fit.
 */
export class Admission {
  private readonly counters: Int32Array;

  /** `buffer` shares an existing pool (from `sharedBuffer`); without it the pool is new. */
  constructor(
    readonly maxQueuedPairs: number,
    buffer: SharedArrayBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * slotCount),
  ) {
    this.counters = new Int32Array(buffer);
  }

  /** The memory to hand to another thread: `new Admission(max, admission.sharedBuffer)` there sees this pool. */
  get sharedBuffer(): SharedArrayBuffer {
    return this.counters.buffer as SharedArrayBuffer;
  }

  /** Pairs admitted and not yet answered. */
  get outstandingPairs(): number {
    return Atomics.load(this.counters, slot.outstanding);
  }

  /**
   * Admits `pairs` or throws `queue_full`. A request is always admitted into an idle pool, so
   * one request larger than the bound still runs instead of being refused forever.
   */
  acquire(pairs: number): void {
    for (;;) {
      const outstanding = Atomics.load(this.counters, slot.outstanding);
      if (outstanding > 0 && outstanding + pairs > this.maxQueuedPairs) throw this.queueFull(outstanding, pairs);
      if (Atomics.compareExchange(this.counters, slot.outstanding, outstanding, outstanding + pairs) === outstanding) return;
    }
  }

  /** Refuses at once when even `minimumPairs` (a lower bound of the request's pairs) cannot fit; admits nothing. */
  assertRoomFor(minimumPairs: number): void {
    const outstanding = this.outstandingPairs;
    if (outstanding > 0 && outstanding + minimumPairs > this.maxQueuedPairs) throw this.queueFull(outstanding, minimumPairs);
  }

  /** Returns answered, failed or cancelled pairs to the pool. */
  release(pairs: number): void {
    Atomics.sub(this.counters, slot.outstanding, pairs);
  }

  /** Feeds the throughput estimate behind Retry-After: an exponential average of pairs per second over batches. */
  recordBatch(pairs: number, milliseconds: number): void {
    const rate = (pairs * 1000) / Math.max(milliseconds, 0.001);
    const previous = Atomics.load(this.counters, slot.milliPairsPerSecond) / 1000;
    const average = previous === 0 ? rate : 0.8 * previous + 0.2 * rate;
    Atomics.store(this.counters, slot.milliPairsPerSecond, Math.min(Math.round(average * 1000), 0x7fffffff));
  }

  /** Seconds until the work admitted now is likely done, at least 1. */
  retryAfterSeconds(): number {
    const rate = Math.max(Atomics.load(this.counters, slot.milliPairsPerSecond) / 1000, 1);
    return Math.max(1, Math.ceil(this.outstandingPairs / rate));
  }

  private queueFull(outstanding: number, requestPairs: number): OpenRerankError {
    const retryAfterSeconds = this.retryAfterSeconds();
    return new OpenRerankError(
      "queue_full",
      `the scoring queue holds ${outstanding} pairs and this request adds ${requestPairs}; the limit is ${this.maxQueuedPairs} queued pairs. Retry after ${retryAfterSeconds} s.`,
      { queuedPairs: outstanding, requestPairs, maxQueuedPairs: this.maxQueuedPairs, retryAfterSeconds },
    );
  }
}

const slot = { outstanding: 0, milliPairsPerSecond: 1 } as const;
const slotCount = 2;
