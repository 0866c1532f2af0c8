import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { crashQuery } from "../support/word-overlap-backend.js";
import { scifactTexts } from "../support/test-models.js";
import { metricValue, postJson, startTestServer } from "../support/test-server.js";

const query = "What causes inflammation of the airways?";

describe("a model worker that stops is supervised", () => {
  it("fails its requests with 503 model_unavailable, reports /ready 503, restarts and serves again", async () => {
    const server = await startTestServer({}, {
      adjust: (config) => {
        config.models = [{ id: "fake/overlap", aliases: [], backend: "word-overlap" }];
      },
    });
    try {
      const rerank = (body: Record<string, unknown>) => server.app.inject(postJson("/v2/rerank", body));
      assert.equal((await rerank({ query: "red apple", documents: ["red apple", "pear"] })).statusCode, 200);

      const crashed = await rerank({ query: crashQuery, documents: ["a"] });
      assert.equal(crashed.statusCode, 503);
      assert.equal(crashed.json<{ code: string }>().code, "model_unavailable");
      assert.match(crashed.json<{ message: string }>().message, /the model worker for fake\/overlap exited with code 3; it is being restarted\. Retry after \d+ s/);
      assert.match(String(crashed.headers["retry-after"]), /^\d+$/);

      const ready = await server.app.inject({ method: "GET", url: "/ready" });
      assert.deepEqual([ready.statusCode, ready.json()], [503, { status: "unavailable", models: ["fake/overlap"], unavailable: ["fake/overlap"] }]);
      const meanwhile = await rerank({ query: "red apple", documents: ["red apple"] });
      assert.deepEqual([meanwhile.statusCode, meanwhile.json<{ code: string }>().code], [503, "model_unavailable"]);

      const deadline = Date.now() + 15_000;
      while ((await server.app.inject({ method: "GET", url: "/ready" })).statusCode !== 200) {
        assert.ok(Date.now() < deadline, "the worker was not restarted within 15 s");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const served = await rerank({ query: "red apple", documents: ["pear", "red apple"] });
      assert.deepEqual(served.json<{ results: { index: number }[] }>().results.map((result) => result.index), [1, 0]);
      const metrics = (await server.app.inject({ method: "GET", url: "/metrics" })).body;
      assert.equal(metricValue(metrics, "openrerank_model_worker_restarts_total", { model: "fake/overlap" }), 1);
    } finally {
      await server.close();
    }
  });
});

describe("admission by cost and deadline", () => {
  it("refuses a request that needs more windows or tokens than one request may, with 413", async () => {
    const server = await startTestServer({ maxWindowsPerRequest: "3", maxTokensPerRequest: "800" });
    try {
      const windows = await server.app.inject(postJson("/v2/rerank", { query, documents: ["a", "b", "c", "d"] }));
      assert.equal(windows.statusCode, 413);
      assert.equal(windows.json<{ code: string }>().code, "request_too_large");
      assert.match(windows.json<{ message: string }>().message, /^invalid request: this request needs 4 scored windows; one request may need at most 3 \(the server's --max-windows-per-request\)/);
      const long = "word ".repeat(900); // two windows, about 924 tokens with the query
      const tokens = await server.app.inject(postJson("/v2/rerank", { query, documents: [long] }));
      assert.equal(tokens.statusCode, 413);
      assert.match(tokens.json<{ message: string }>().message, /model tokens .* at most 800 \(the server's --max-tokens-per-request\)/);
      assert.equal((await server.app.inject(postJson("/v2/rerank", { query, documents: ["a", "b"] }))).statusCode, 200, "a request within the limits is served");
    } finally {
      await server.close();
    }
  });

  it("answers overload with fast 429s whose Retry-After is within the request timeout, not with a wall of 504s", async (t: TestContext) => {
    const server = await startTestServer({ requestTimeoutMs: "3000" });
    try {
      const documents = scifactTexts(40).map((text) => text.slice(0, 400));
      const started = performance.now();
      const responses = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const sent = performance.now();
          const response = await server.app.inject(postJson("/v2/rerank", { query, documents }));
          return { status: response.statusCode, ms: performance.now() - sent, retryAfter: response.headers["retry-after"], message: response.json<{ message?: string }>().message ?? "" };
        }),
      );
      const byStatus = (status: number) => responses.filter((response) => response.status === status);
      t.diagnostic(
        `16 concurrent requests of 40 passages, 3 s timeout, ${Math.round(performance.now() - started)} ms: ${byStatus(200).length} served, ${byStatus(429).length} refused ` +
          `(slowest refusal ${Math.round(Math.max(0, ...byStatus(429).map((response) => response.ms)))} ms), ${byStatus(504).length} timed out`,
      );
      assert.deepEqual(responses.filter((response) => ![200, 429, 504].includes(response.status)), []);
      assert.ok(byStatus(200).length >= 1, "the model kept serving");
      const deadlineRefusals = byStatus(429).filter((response) => /a third of its 3 s request timeout/.test(response.message));
      assert.ok(deadlineRefusals.length >= 1, "requests that could not finish in time were refused at once");
      for (const refusal of byStatus(429)) assert.ok(Number(refusal.retryAfter) >= 1 && Number(refusal.retryAfter) <= 3, `Retry-After ${String(refusal.retryAfter)}`);
    } finally {
      await server.close();
    }
  });
});
