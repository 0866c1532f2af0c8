import { OpenRerankError } from "../../errors/catalog.js";

/** What a request costs the model: scored pairs (windows) and the tokens they hold. */
export interface WorkCost {
  pairs: number;
  tokens: number;
}

export interface AdmissionLimits {
  /** Pairs admitted and not yet answered, over all requests; beyond it requests get `queue_full` (429). */
  maxQueuedPairs: number;
  /**
   * How long a request may take (the server's request timeout). A request that the measured
   * service rate says cannot finish within a third of it, behind the work already admitted, is
   * refused at once with 429 instead of waiting to time out. @default no deadline
   */
  deadlineMs?: number;
  /** Most pairs (windows) one request may need; more is `request_too_large` (413). @default no limit */
  maxPairsPerRequest?: number;
  /** Most tokens one request may feed the model; more is `request_too_large` (413). @default no limit */
  maxTokensPerRequest?: number;
}

/**
 * One model's bounded pool of admitted work, with the one Retry-After estimate a refusal
 * carries. Work is counted in pairs (one scored window of a document, or one backend call)
 * and the tokens they hold; the service rate behind the estimates is measured from the
 * model's own batches (tokens per second, weighted by batch time).
 *
 * The counters live in a SharedArrayBuffer, so the same pool is seen by the HTTP thread and
 * by the model's worker thread: the worker admits a request's exact cost once it has
 * tokenized it, and the HTTP thread refuses at once, without waiting for a worker busy in a
 * batch, a request that could not fit (its documents alone are at least one pair each) or that
 * would wait past its deadline behind the work already admitted.
 */
export class Admission {
  private readonly counters: Int32Array;
  /** Time-decayed sums behind the service rate; written only by the thread that runs batches. */
  private readonly rateSums: Float64Array;

  /** `buffer` shares an existing pool (from `sharedBuffer`); without it the pool is new. */
  constructor(
    readonly limits: AdmissionLimits,
    buffer: SharedArrayBuffer = new SharedArrayBuffer(bufferBytes),
  ) {
    this.counters = new Int32Array(buffer, 0, counterSlots);
    this.rateSums = new Float64Array(buffer, counterBytes, rateSlots);
  }

  /** The memory to hand to another thread: `new Admission(limits, admission.sharedBuffer)` there sees this pool. */
  get sharedBuffer(): SharedArrayBuffer {
    return this.counters.buffer as SharedArrayBuffer;
  }

  /** Pairs admitted and not yet answered. */
  get outstandingPairs(): number {
    return Atomics.load(this.counters, slot.pairs);
  }

  /** Tokens of the pairs admitted and not yet answered. */
  get outstandingTokens(): number {
    return Atomics.load(this.counters, slot.tokens);
  }

  /** Measured tokens per second, or undefined before the first batch. */
  get tokensPerSecond(): number | undefined {
    const [tokens, seconds] = [this.rateSums[rate.tokens], this.rateSums[rate.seconds]];
    return seconds > 0 && tokens > 0 ? tokens / seconds : undefined;
  }

  /**
   * Admits a request's exact cost or throws: `request_too_large` (413) past the per-request
   * limits, `queue_full` (429) when the pool is full or the request would miss its deadline.
   * A request is always admitted into an idle pool, so one large request still runs.
   */
  acquire(cost: WorkCost): void {
    this.assertWithinRequestLimits(cost);
    for (;;) {
      const pairs = Atomics.load(this.counters, slot.pairs);
      if (pairs > 0) this.assertRoom(pairs, this.outstandingTokens, cost);
      if (Atomics.compareExchange(this.counters, slot.pairs, pairs, pairs + cost.pairs) === pairs) break;
    }
    Atomics.add(this.counters, slot.tokens, cost.tokens);
  }

  /**
   * Refuses at once when even a lower bound of a request's cost (its document count in pairs)
   * cannot fit, or when the work already admitted would not drain before the deadline; admits
   * nothing. Called where the exact cost is not known yet.
   */
  assertRoomFor(minimumPairs: number): void {
    const pairs = this.outstandingPairs;
    if (pairs > 0) this.assertRoom(pairs, this.outstandingTokens, { pairs: minimumPairs, tokens: 0 });
  }

  /** Returns answered, failed or cancelled work to the pool. */
  release(cost: WorkCost): void {
    Atomics.sub(this.counters, slot.pairs, cost.pairs);
    Atomics.sub(this.counters, slot.tokens, cost.tokens);
  }

  /** Forgets all admitted work: the thread that held it is gone (a model worker that died). */
  reset(): void {
    Atomics.store(this.counters, slot.pairs, 0);
    Atomics.store(this.counters, slot.tokens, 0);
  }

  /**
   * Feeds the service rate: sums of tokens and seconds that decay by batch, so the rate follows
   * the model's recent speed and a long batch weighs more than a short one (a warm-up batch of
   * a few tokens barely counts).
   */
  recordBatch(tokens: number, milliseconds: number): void {
    this.rateSums[rate.tokens] = rateDecay * this.rateSums[rate.tokens] + tokens;
    this.rateSums[rate.seconds] = rateDecay * this.rateSums[rate.seconds] + Math.max(milliseconds, 0.001) / 1000;
  }

  /** Seconds until the work admitted now is likely done, at least 1 (1 before anything was measured). */
  retryAfterSeconds(): number {
    return this.secondsToDrain(this.outstandingTokens);
  }

  private secondsToDrain(tokens: number): number {
    const perSecond = this.tokensPerSecond;
    return perSecond === undefined ? 1 : Math.max(1, Math.ceil(tokens / perSecond));
  }

  private assertWithinRequestLimits(cost: WorkCost): void {
    const { maxPairsPerRequest, maxTokensPerRequest } = this.limits;
    if (maxPairsPerRequest !== undefined && cost.pairs > maxPairsPerRequest) {
      throw new OpenRerankError(
        "request_too_large",
        `this request needs ${cost.pairs} scored windows; one request may need at most ${maxPairsPerRequest} (the server's --max-windows-per-request). Send fewer or shorter documents, lower max_tokens_per_doc, max_chunks_per_doc or window_overlap, or split the request.`,
        { windows: cost.pairs, limit: maxPairsPerRequest },
      );
    }
    if (maxTokensPerRequest !== undefined && cost.tokens > maxTokensPerRequest) {
      throw new OpenRerankError(
        "request_too_large",
        `this request needs ${cost.tokens} model tokens (every window with the query); one request may need at most ${maxTokensPerRequest} (the server's --max-tokens-per-request). Send fewer or shorter documents, lower max_tokens_per_doc or window_overlap, or split the request.`,
        { tokens: cost.tokens, limit: maxTokensPerRequest },
      );
    }
  }

  /** Throws `queue_full` when `cost` cannot join the admitted work (`pairs` > 0 of them, holding `tokens`). */
  private assertRoom(pairs: number, tokens: number, cost: WorkCost): void {
    const { maxQueuedPairs, deadlineMs } = this.limits;
    if (pairs + cost.pairs > maxQueuedPairs) {
      // Wait for the pairs beyond the bound to drain, at the measured rate.
      const excess = (pairs + cost.pairs - maxQueuedPairs) / pairs;
      const retryAfterSeconds = this.secondsToDrain(tokens * Math.min(1, excess));
      throw new OpenRerankError(
        "queue_full",
        `the scoring queue holds ${pairs} pairs and this request adds ${cost.pairs}; the limit is ${maxQueuedPairs} queued pairs. Retry after ${retryAfterSeconds} s.`,
        { queuedPairs: pairs, requestPairs: cost.pairs, maxQueuedPairs, retryAfterSeconds },
      );
    }
    const perSecond = this.tokensPerSecond;
    if (deadlineMs === undefined || perSecond === undefined) return;
    const budget = (perSecond * deadlineMs * deadlineShare) / 1000;
    if (tokens + cost.tokens <= budget) return;
    // Retry when enough of the queue has drained for this request to finish in time, never later than the whole queue.
    const retryAfterSeconds = Math.min(this.secondsToDrain(tokens), this.secondsToDrain(tokens + cost.tokens - budget));
    const waitSeconds = Math.round((tokens + cost.tokens) / perSecond);
    throw new OpenRerankError(
      "queue_full",
      `the model is busy: the ${pairs} pairs queued ahead of this request and its own need about ${waitSeconds} s at the current ${Math.round(perSecond)} tokens/s, more than the ${Math.round((deadlineMs * deadlineShare) / 1000)} s of work the server queues (a third of its ${deadlineMs / 1000} s request timeout). Retry after ${retryAfterSeconds} s.`,
      { queuedPairs: pairs, queuedTokens: tokens, requestTokens: cost.tokens, tokensPerSecond: Math.round(perSecond), retryAfterSeconds },
    );
  }
}

const slot = { pairs: 0, tokens: 1 } as const;
const counterSlots = 2;
const counterBytes = 8 * Math.ceil((counterSlots * Int32Array.BYTES_PER_ELEMENT) / 8);
const rate = { tokens: 0, seconds: 1 } as const;
const rateSlots = 2;
const bufferBytes = counterBytes + rateSlots * Float64Array.BYTES_PER_ELEMENT;
/**
 * The share of the deadline the queue may hold. Batches are shared round-robin, so a request
 * finishes about when the work queued around it does, including work admitted after it; under
 * sustained overload admitted requests took about 1.6x the queued time (bench/overload.ts).
 * Admitting up to the whole deadline finished many just past it (504); a third leaves room.
 */
const deadlineShare = 1 / 3;
/** How much of the rate's history each new batch keeps: about the last 20 batches count. */
const rateDecay = 0.95;
