import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { OpenRerankError } from "../../errors/catalog.js";
import { Admission } from "./admission.js";

const isQueueFull = (pattern: RegExp) => (error: unknown) => error instanceof OpenRerankError && error.code === "queue_full" && pattern.test(error.message);

describe("Admission", () => {
  it("admits up to the bound, always admits into an idle pool, and refuses with the counts", () => {
    const admission = new Admission(10);
    admission.acquire(25); // idle: one oversized request still runs
    assert.equal(admission.outstandingPairs, 25);
    assert.throws(() => admission.acquire(1), isQueueFull(/holds 25 pairs and this request adds 1; the limit is 10 queued pairs/));
    admission.release(25);
    admission.acquire(6);
    admission.acquire(4);
    assert.throws(() => admission.acquire(1), isQueueFull(/holds 10 pairs/));
    assert.throws(() => admission.assertRoomFor(1), isQueueFull(/holds 10 pairs/));
    assert.equal(admission.outstandingPairs, 10, "a refusal admits nothing");
  });

  it("estimates Retry-After from the measured throughput", () => {
    const admission = new Admission(100);
    admission.acquire(100);
    admission.recordBatch(10, 1000); // 10 pairs per second
    assert.equal(admission.retryAfterSeconds(), 10);
    assert.throws(() => admission.acquire(5), (error: unknown) => error instanceof OpenRerankError && error.details.retryAfterSeconds === 10);
    admission.recordBatch(50, 1000); // the average moves toward 50 pairs/s: 0.8 × 10 + 0.2 × 50 = 18
    assert.equal(admission.retryAfterSeconds(), Math.ceil(100 / 18));
  });

  it("is one pool across threads: a worker's admissions are seen here at once", async () => {
    const admission = new Admission(8);
    const source = `
      const { parentPort, workerData } = require("node:worker_threads");
      const counters = new Int32Array(workerData);
      Atomics.add(counters, 0, 7);
      parentPort.postMessage("admitted");`;
    const worker = new Worker(source, { eval: true, workerData: admission.sharedBuffer });
    await new Promise((resolve) => worker.once("message", resolve));
    await worker.terminate();
    assert.equal(admission.outstandingPairs, 7);
    assert.throws(() => admission.assertRoomFor(2), isQueueFull(/holds 7 pairs and this request adds 2; the limit is 8/));
    const seenElsewhere = new Admission(8, admission.sharedBuffer);
    seenElsewhere.release(7);
    assert.equal(admission.outstandingPairs, 0);
  });
});
