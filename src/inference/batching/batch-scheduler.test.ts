import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { describe, it } from "node:test";
import { OpenRerankError } from "../../errors/catalog.js";
import { Admission } from "./admission.js";
import { BatchScheduler, type BatchExecutor, type BatchReport } from "./batch-scheduler.js";

/**
 * These tests exercise the scheduler's own mechanics (budgets, fairness, cancellation,
 * backpressure) with an executor whose "logit" for a pair is its marker token, so each result
 * can be traced back to its pair. The real model runs through it in the integration tests.
 */
/** An item shaped like a cross-encoder pair; its document token is the marker. */
interface EncodedPair {
  query: Int32Array;
  document: Int32Array;
  length: number;
}

function pair(marker: number, length: number): EncodedPair {
  return { query: Int32Array.of(1), document: Int32Array.of(marker), length };
}

function markerExecutor(options: { delayMs?: number; failWhen?: (pairs: readonly EncodedPair[]) => boolean } = {}) {
  const batches: number[][] = [];
  const executor: BatchExecutor<EncodedPair, readonly EncodedPair[]> = {
    rowWidth: 1,
    prepare: (pairs) => pairs,
    async execute(pairs) {
      batches.push(pairs.map((p) => p.document[0]));
      await delay(options.delayMs ?? 1);
      if (options.failWhen?.(pairs)) throw new Error("model exploded");
      return Float32Array.from(pairs, (p) => p.document[0]);
    },
  };
  return { executor, batches };
}

describe("BatchScheduler", () => {
  it("returns logits in input order whatever the batch order", async () => {
    const { executor } = markerExecutor();
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 100, maxBatchSize: 4, maxQueuedPairs: 1000 });
    const pairs = [pair(10, 30), pair(11, 5), pair(12, 20), pair(13, 5), pair(14, 50)];
    assert.deepEqual(Array.from(await scheduler.score(pairs)), [10, 11, 12, 13, 14]);
  });

  it("sorts by length and cuts batches by the token budget (pairs × longest) and the size cap", async () => {
    const { executor, batches } = markerExecutor();
    const reports: BatchReport[] = [];
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 100, maxBatchSize: 3, maxQueuedPairs: 1000 }, (report) => reports.push(report));
    await scheduler.score([pair(1, 40), pair(2, 10), pair(3, 10), pair(4, 10), pair(5, 10), pair(6, 40), pair(7, 200)]);
    assert.deepEqual(batches, [[2, 3, 4], [5, 1], [6], [7]]);
    for (const report of reports) assert.ok(report.paddedTokens <= 100 || report.pairs === 1);
    assert.deepEqual(reports.map((r) => r.realTokens), [30, 50, 40, 200]);
    assert.deepEqual(reports.map((r) => r.paddedTokens), [30, 80, 40, 200]);
  });

  it("shares batches between concurrent requests", async () => {
    const { executor, batches } = markerExecutor();
    const reports: BatchReport[] = [];
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 1000, maxBatchSize: 8, maxQueuedPairs: 1000 }, (report) => reports.push(report));
    const [a, b] = await Promise.all([scheduler.score([pair(1, 10), pair(2, 10)]), scheduler.score([pair(3, 10), pair(4, 10)])]);
    assert.deepEqual([Array.from(a), Array.from(b)], [[1, 2], [3, 4]]);
    assert.equal(batches.length, 1);
    assert.equal(reports[0].requests, 2);
  });

  it("interleaves a huge request with small ones so they finish first", async () => {
    const { executor } = markerExecutor({ delayMs: 2 });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 40, maxBatchSize: 4, maxQueuedPairs: 10_000 });
    const finished: string[] = [];
    const huge = scheduler.score(Array.from({ length: 400 }, (_, i) => pair(i, 10))).then(() => finished.push("huge"));
    await delay(5);
    const small = Promise.all([1, 2, 3].map((n) => scheduler.score([pair(1000 + n, 10)]).then(() => finished.push(`small${n}`))));
    await Promise.all([huge, small]);
    assert.equal(finished.at(-1), "huge");
  });

  it("a small request goes into the next batch, ahead of large requests' turns", async () => {
    const { executor, batches } = markerExecutor({ delayMs: 2 });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 80, maxBatchSize: 8, maxQueuedPairs: 10_000 });
    const large = [0, 1, 2, 3].map((r) => scheduler.score(Array.from({ length: 16 }, (_, i) => pair(r * 100 + i, 10))));
    await delay(3);
    const small = scheduler.score([pair(999, 10)]);
    const started = batches.length;
    await small;
    // The batch running when it arrived finishes first; the very next one must carry it.
    assert.ok(batches.findIndex((b) => b.includes(999)) <= started, `small request waited: ${JSON.stringify(batches)}`);
    await Promise.all(large);
  });

  it("drops a cancelled request's pending pairs and leaves the others intact", async () => {
    const { executor, batches } = markerExecutor({ delayMs: 5 });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 20, maxBatchSize: 2, maxQueuedPairs: 1000 });
    const controller = new AbortController();
    const cancelled = scheduler.score(Array.from({ length: 40 }, (_, i) => pair(i, 10)), controller.signal);
    const other = scheduler.score([pair(500, 10), pair(501, 10)]);
    setTimeout(() => controller.abort(), 8);
    await assert.rejects(cancelled, (error: unknown) => error instanceof OpenRerankError && error.code === "request_cancelled");
    assert.deepEqual(Array.from(await other), [500, 501]);
    await delay(20);
    assert.ok(batches.flat().filter((marker) => marker < 40).length < 40, "cancelled pairs still ran");
    assert.equal(scheduler.queuedPairs, 0);
  });

  it("reports a timeout signal as request_timeout", async () => {
    const { executor } = markerExecutor({ delayMs: 20 });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 10, maxBatchSize: 1, maxQueuedPairs: 1000 });
    await assert.rejects(scheduler.score(Array.from({ length: 20 }, (_, i) => pair(i, 10)), AbortSignal.timeout(10)), (error: unknown) => error instanceof OpenRerankError && error.code === "request_timeout");
  });

  it("answers queue_full at once when the queue is over its bound, but always admits a lone request", async () => {
    const { executor } = markerExecutor({ delayMs: 5 });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 10, maxBatchSize: 1, maxQueuedPairs: 10 });
    const big = scheduler.score(Array.from({ length: 30 }, (_, i) => pair(i, 10)));
    await assert.rejects(scheduler.score([pair(99, 10)]), (error: unknown) => error instanceof OpenRerankError && error.code === "queue_full" && typeof error.details.retryAfterSeconds === "number");
    assert.equal((await big).length, 30);
  });

  it("fails only the requests whose batch failed", async () => {
    const { executor } = markerExecutor({ failWhen: (pairs) => pairs.some((p) => p.document[0] === 666) });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 10, maxBatchSize: 1, maxQueuedPairs: 1000 });
    const [bad, good] = await Promise.allSettled([scheduler.score([pair(666, 10)]), scheduler.score([pair(7, 10)])]);
    assert.equal(bad.status, "rejected");
    assert.deepEqual(good.status === "fulfilled" ? Array.from(good.value) : undefined, [7]);
  });

  it("holds admitted pairs in the model's pool until their batch is done, whatever the outcome", async () => {
    const admission = new Admission({ maxQueuedPairs: 1000 });
    const { executor } = markerExecutor({ delayMs: 5, failWhen: (pairs) => pairs.some((p) => p.document[0] === 666) });
    const scheduler = new BatchScheduler(executor, { maxBatchTokens: 20, maxBatchSize: 2 }, undefined, admission);
    const controller = new AbortController();
    const served = scheduler.score(Array.from({ length: 6 }, (_, i) => pair(i, 10)));
    const failed = scheduler.score([pair(666, 10)]);
    const cancelled = scheduler.score(Array.from({ length: 10 }, (_, i) => pair(100 + i, 10)), controller.signal);
    assert.equal(admission.outstandingPairs, 17, "every queued pair is admitted at once");
    setTimeout(() => controller.abort(), 3);
    await Promise.allSettled([served, failed, cancelled]);
    await delay(20);
    assert.equal(admission.outstandingPairs, 0, "answered, failed and cancelled pairs all left the pool");
  });
});
