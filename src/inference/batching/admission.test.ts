import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { OpenRerankError, type ErrorCode } from "../../errors/catalog.js";
import { Admission } from "./admission.js";

const isError = (code: ErrorCode, pattern: RegExp) => (error: unknown) => error instanceof OpenRerankError && error.code === code && pattern.test(error.message);
const pairs = (count: number, tokensEach = 100) => ({ pairs: count, tokens: count * tokensEach });

describe("Admission", () => {
  it("admits up to the pair bound, always admits into an idle pool, and refuses with the counts", () => {
    const admission = new Admission({ maxQueuedPairs: 10 });
    admission.acquire(pairs(25)); // idle: one oversized request still runs
    assert.equal(admission.outstandingPairs, 25);
    assert.throws(() => admission.acquire(pairs(1)), isError("queue_full", /holds 25 pairs and this request adds 1; the limit is 10 queued pairs/));
    admission.release(pairs(25));
    admission.acquire(pairs(6));
    admission.acquire(pairs(4));
    assert.throws(() => admission.acquire(pairs(1)), isError("queue_full", /holds 10 pairs/));
    assert.throws(() => admission.assertRoomFor(1), isError("queue_full", /holds 10 pairs/));
    assert.deepEqual([admission.outstandingPairs, admission.outstandingTokens], [10, 1000], "a refusal admits nothing");
  });

  it("refuses a request past the per-request limits with 413 request_too_large, naming the limit", () => {
    const admission = new Admission({ maxQueuedPairs: 1000, maxPairsPerRequest: 50, maxTokensPerRequest: 4000 });
    assert.throws(() => admission.acquire(pairs(51, 10)), isError("request_too_large", /needs 51 scored windows; one request may need at most 50 \(the server's --max-windows-per-request\)/));
    assert.throws(() => admission.acquire(pairs(41)), isError("request_too_large", /needs 4100 model tokens .* at most 4000 \(the server's --max-tokens-per-request\)/));
    admission.acquire(pairs(40));
    assert.equal(admission.outstandingPairs, 40);
  });

  it("measures the service rate from batches, weighted by their time", () => {
    const admission = new Admission({ maxQueuedPairs: 100 });
    assert.equal(admission.tokensPerSecond, undefined);
    admission.recordBatch(10, 1); // a warm-up: 10,000 tokens/s, but 1 ms of evidence
    admission.recordBatch(1000, 100); // 10,000 tokens/s
    admission.recordBatch(2000, 100); // 20,000 tokens/s
    const rate = admission.tokensPerSecond ?? 0;
    assert.ok(rate > 14_000 && rate < 16_000, `about the time-weighted 15,000 tokens/s, got ${rate}`);
  });

  it("refuses at once a request that would wait past its deadline, with a Retry-After for when it would fit", () => {
    const admission = new Admission({ maxQueuedPairs: 100_000, deadlineMs: 30_000 });
    admission.recordBatch(1000, 1000); // 1,000 tokens/s: 10,000 tokens fit in a third of the deadline
    admission.acquire(pairs(60)); // 6,000 tokens: 6 s of work
    admission.acquire(pairs(30)); // 9,000 tokens: 9 s
    assert.throws(
      () => admission.acquire(pairs(20)), // would finish after 11 s
      (error: unknown) =>
        isError("queue_full", /90 pairs queued ahead of this request and its own need about 11 s at the current 1000 tokens\/s, more than the 10 s of work the server queues \(a third of its 30 s request timeout\)\. Retry after 1 s/)(error) &&
        (error as OpenRerankError).details.retryAfterSeconds === 1,
    );
    assert.throws(() => admission.acquire(pairs(50)), (error: unknown) => (error as OpenRerankError).details.retryAfterSeconds === 4, "4 s until 5,000 tokens fit");
    admission.acquire(pairs(10)); // exactly 10 s: admitted
    assert.equal(admission.retryAfterSeconds(), 10, "the whole queue drains in 10 s");
    for (let batch = 0; batch < 100; batch++) admission.recordBatch(500, 1000); // the model slows to 500 tokens/s
    assert.throws(() => admission.assertRoomFor(1), isError("queue_full", /a third of its 30 s request timeout/), "the HTTP side refuses once the queue alone outlasts the deadline");
  });

  it("is one pool across threads: a worker's admissions are seen here at once", async () => {
    const admission = new Admission({ maxQueuedPairs: 8 });
    const source = `
      const { parentPort, workerData } = require("node:worker_threads");
      const counters = new Int32Array(workerData, 0, 2);
      Atomics.add(counters, 0, 7);
      parentPort.postMessage("admitted");`;
    const worker = new Worker(source, { eval: true, workerData: admission.sharedBuffer });
    await new Promise((resolve) => worker.once("message", resolve));
    await worker.terminate();
    assert.equal(admission.outstandingPairs, 7);
    assert.throws(() => admission.assertRoomFor(2), isError("queue_full", /holds 7 pairs and this request adds 2; the limit is 8/));
    const seenElsewhere = new Admission({ maxQueuedPairs: 8 }, admission.sharedBuffer);
    seenElsewhere.reset();
    assert.equal(admission.outstandingPairs, 0);
  });
});
