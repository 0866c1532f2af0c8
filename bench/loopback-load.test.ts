import assert from "node:assert/strict";
import http from "node:http";
import { describe, it, type TestContext } from "node:test";
import autocannon from "autocannon";
import type { RunningServer } from "../src/server/start-server.js";
import { scifactTexts } from "../tests/support/test-models.js";
import { metricValue, startTestServer } from "../tests/support/test-server.js";

// A bounded loopback load test (a few seconds) on the random-weight test model: it shows the
// mechanics (shared batches, 429 at once, a responsive /health), not production throughput.
// Client and server share this process and its 2 cores, so the numbers are a floor.

const query = "What causes inflammation of the airways?";
/** 8 documents of about 60-70 tokens each: real text, so batches carry real work. */
const documents = scifactTexts(8).map((text) => text.slice(0, 300));
const body = JSON.stringify({ model: "test/minilm-l6", query, documents });

interface BatchCounters {
  batches: number;
  pairs: number;
  singleRequestBatches: number;
  seconds: number;
  paddedTokens: number;
}

/** Batch counters from /metrics; a series not yet written (no batch since load) reads as 0. */
async function batchCounters(server: RunningServer): Promise<BatchCounters> {
  const text = (await server.app.inject({ method: "GET", url: "/metrics" })).body;
  const read = (name: string, labels: Record<string, string> = {}) => metricValue(text, name, labels) || 0;
  return {
    batches: read("openrerank_batch_pairs_count"),
    pairs: read("openrerank_batch_pairs_sum"),
    singleRequestBatches: read("openrerank_batch_requests_bucket", { le: "1" }),
    seconds: read("openrerank_batch_duration_seconds_sum"),
    paddedTokens: read("openrerank_batch_padded_tokens_total"),
  };
}

/** GETs /health on a fresh connection every 25 ms until stopped; returns the latencies in ms. */
function probeHealth(url: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        http.get(`${url}/health`, { agent: false }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        }).on("error", reject);
      });
      assert.equal(status, 200);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies.sort((a, b) => a - b);
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

describe("loopback load", () => {
  it("concurrent requests share batches while /health stays fast", async (t: TestContext) => {
    // A 4096-token budget fits several 8-document requests per batch, whatever the engine's default budget.
    const server = await startTestServer({ maxBatchTokens: "4096" });
    try {
      const before = await batchCounters(server);
      const health = probeHealth(server.url);
      const result = await autocannon({
        url: `${server.url}/v2/rerank`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        connections: 16,
        duration: 4,
      });
      const healthLatencies = await health.stop();
      const after = await batchCounters(server);
      const batches = after.batches - before.batches;
      const pairs = after.pairs - before.pairs;
      const mixing = 1 - (after.singleRequestBatches - before.singleRequestBatches) / batches;
      const pairsPerBatch = pairs / batches;
      const batchMs = ((after.seconds - before.seconds) * 1000) / batches;
      const paddedPerBatch = (after.paddedTokens - before.paddedTokens) / batches;
      t.diagnostic(
        `v2 rerank, 8 docs/request, 16 connections, 4 s, 4096-token batches: ${result.requests.total} requests, ${result.requests.average.toFixed(1)} req/s, ` +
          `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; ${batches} batches, ${pairsPerBatch.toFixed(1)} pairs/batch on average, ` +
          `${(mixing * 100).toFixed(0)}% of batches mix requests, ${batchMs.toFixed(0)} ms and ${paddedPerBatch.toFixed(0)} padded tokens per batch; /health during load p50 ${percentile(healthLatencies, 50).toFixed(1)} ms, ` +
          `p99 ${percentile(healthLatencies, 99).toFixed(1)} ms, max ${healthLatencies[healthLatencies.length - 1].toFixed(1)} ms over ${healthLatencies.length} probes`,
      );
      assert.equal(result.non2xx, 0, "no request failed under load");
      assert.equal(result.errors, 0);
      assert.ok(result.requests.total > 0);
      // Requests still in flight when the run ended are scored too, so at least every answered pair.
      assert.ok(pairs >= result.requests.total * documents.length, "every pair of every answered request was scored");
      assert.ok(pairsPerBatch > documents.length, `batches hold more than one request's ${documents.length} pairs on average (${pairsPerBatch.toFixed(1)})`);
      assert.ok(mixing > 0.5, `most batches mix requests (${(mixing * 100).toFixed(0)}%)`);
      // The model runs on its own thread: /health never waits for a batch.
      assert.ok(percentile(healthLatencies, 50) < 50, `/health p50 ${percentile(healthLatencies, 50).toFixed(1)} ms`);
    } finally {
      await server.close();
    }
  });

  it("a full queue answers 429 at once with Retry-After, and /health stays fast", async (t: TestContext) => {
    const server = await startTestServer({ maxQueuedPairs: "16" });
    try {
      const health = probeHealth(server.url);
      const started = performance.now();
      const result = await autocannon({
        url: `${server.url}/v2/rerank`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        connections: 16,
        amount: 200,
      });
      const seconds = (performance.now() - started) / 1000;
      // Sample one rejection directly to time it and read its headers.
      let rejection: { ms: number; retryAfter: string | null } | undefined;
      const load = autocannon({ url: `${server.url}/v2/rerank`, method: "POST", headers: { "content-type": "application/json" }, body, connections: 16, amount: 50 });
      for (let attempt = 0; attempt < 200 && rejection === undefined; attempt++) {
        const sent = performance.now();
        const response = await fetch(`${server.url}/v2/rerank`, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (response.status === 429) rejection = { ms: performance.now() - sent, retryAfter: response.headers.get("retry-after") };
        await response.arrayBuffer();
      }
      await load;
      const healthLatencies = await health.stop();
      const rejected = result.statusCodeStats?.["429"]?.count ?? 0;
      const served = result.statusCodeStats?.["200"]?.count ?? 0;
      t.diagnostic(
        `tiny queue (16 pairs), 16 connections, 200 requests in ${seconds.toFixed(1)} s: ${served} served, ${rejected} answered 429; ` +
          `a sampled 429 took ${rejection?.ms.toFixed(1)} ms with Retry-After ${rejection?.retryAfter}; /health p99 ${percentile(healthLatencies, 99).toFixed(1)} ms`,
      );
      assert.ok(rejected > 0, "some requests found the queue full");
      assert.ok(served > 0, "the queue kept serving");
      assert.equal(served + rejected, 200, "nothing but 200 and 429");
      assert.ok(rejection !== undefined && /^\d+$/.test(rejection.retryAfter ?? ""), "429 carries Retry-After in seconds");
      assert.ok(percentile(healthLatencies, 50) < 50);
    } finally {
      await server.close();
    }
  });
});
