import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../../src/server/start-server.js";
import { metricValue, postJson, startTestServer } from "../support/test-server.js";

describe("GET /v1/models, /health, /ready and /metrics", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ model: ["test/minilm-l6=rerank-v3.5,rerank-english-v3.0", "test/tinybert-l2=rerank-v4.0-fast"] });
  });
  after(() => server.close());

  it("lists the served models with their windows and aliases", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v1/models" });
    assert.equal(response.statusCode, 200);
    const { models } = response.json<{ models: { name: string; aliases: string[]; context_length: number; endpoints: string[]; test_model: boolean }[] }>();
    assert.deepEqual(
      models.map(({ name, aliases, context_length, endpoints, test_model }) => ({ name, aliases, context_length, endpoints, test_model })),
      [
        { name: "test/minilm-l6", aliases: ["rerank-v3.5", "rerank-english-v3.0"], context_length: 512, endpoints: ["rerank"], test_model: true },
        { name: "test/tinybert-l2", aliases: ["rerank-v4.0-fast"], context_length: 512, endpoints: ["rerank"], test_model: true },
      ],
    );
  });

  it("/health and /ready answer 200 once models are loaded", async () => {
    assert.deepEqual((await server.app.inject({ method: "GET", url: "/health" })).json(), { status: "ok" });
    const ready = await server.app.inject({ method: "GET", url: "/ready" });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: "ready", models: ["test/minilm-l6", "test/tinybert-l2"] });
  });

  it("/metrics reports requests, latency, documents, tokens, batches, queue depth and load time", async () => {
    await server.app.inject(postJson("/v2/rerank", { model: "rerank-v4.0-fast", query: "q", documents: ["a", "b", "c"] }));
    await server.app.inject(postJson("/v2/rerank", { model: "rerank-v4.0-fast", query: "", documents: ["a"] }));
    const response = await server.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/plain/);
    const text = response.body;
    const model = { model: "test/tinybert-l2" };
    assert.equal(metricValue(text, "openrerank_http_requests_total", { route: "/v2/rerank", method: "POST", status: "200" }), 1);
    assert.equal(metricValue(text, "openrerank_http_requests_total", { route: "/v2/rerank", status: "400" }), 1);
    assert.equal(metricValue(text, "openrerank_http_request_duration_seconds_count", { route: "/v2/rerank" }), 2);
    assert.equal(metricValue(text, "openrerank_documents_total", model), 3);
    assert.ok(metricValue(text, "openrerank_tokens_total", model) > 3);
    // The load-time warm-up batch counts too.
    assert.ok(metricValue(text, "openrerank_batch_pairs_count", model) >= 1);
    assert.ok(metricValue(text, "openrerank_batch_pairs_sum", model) >= 3);
    assert.ok(metricValue(text, "openrerank_batch_requests_count", model) >= 1);
    assert.ok(metricValue(text, "openrerank_batch_duration_seconds_count", model) >= 1);
    assert.ok(metricValue(text, "openrerank_batch_padded_tokens_total", model) >= metricValue(text, "openrerank_tokens_total", model));
    assert.equal(metricValue(text, "openrerank_queue_pairs", model), 0);
    assert.ok(metricValue(text, "openrerank_model_load_seconds", model) > 0);
    assert.ok(metricValue(text, "openrerank_http_requests_in_flight") >= 1, "this scrape is in flight");
    assert.ok(!Number.isNaN(metricValue(text, "openrerank_process_cpu_seconds_total")), "process metrics are collected");
  });

  it("labels unknown paths as one route, so scanners cannot explode the label set", async () => {
    await server.app.inject({ method: "GET", url: "/random/path/1" });
    await server.app.inject({ method: "GET", url: "/random/path/2" });
    const text = (await server.app.inject({ method: "GET", url: "/metrics" })).body;
    assert.equal(metricValue(text, "openrerank_http_requests_total", { route: "unmatched", status: "404" }), 2);
    assert.ok(!text.includes("/random/path"));
  });
});
