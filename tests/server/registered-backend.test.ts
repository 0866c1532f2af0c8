import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadReranker } from "../../src/backends/load-reranker.js";
import { sigmoid } from "../../src/reranker/calibration.js";
import type { RunningServer } from "../../src/server/start-server.js";
import type { V2RerankResponse } from "../../src/server/wire/cohere-v2-rerank.js";
import type { ModelsList } from "../../src/server/wire/models-list.js";
import "../support/word-overlap-backend.js";
import { testModelsDir } from "../support/test-models.js";
import { postJson, startTestServer } from "../support/test-server.js";

/**
 * The proof that a backend needs only a folder and a registry row: a backend registered by a
 * test module is served over the Cohere API on its own worker thread, next to the ONNX
 * cross-encoder, and answers bad input and degraded calls exactly as the ONNX one does.
 */
describe("a backend registered outside src/, served by openrerank", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({}, {
      adjust: (config) => {
        config.models = [
          { id: "test/tinybert-l2", aliases: ["onnx"] },
          { id: "fake/overlap", aliases: ["fake"], backend: "word-overlap", options: { weight: 2 } },
        ];
      },
    });
  });
  after(() => server.close());

  const rerank = (body: Record<string, unknown>) => server.app.inject(postJson("/v2/rerank", body));
  const query = "vitamin d and bone fractures";
  const documents = ["Bone fractures in older adults.", "Vitamin D supplementation reduces fractures of the bone.", "A recipe for bread.", "Vitamin pills."];

  it("lists it in /v1/models with its backend and no window", async () => {
    const { models } = (await server.app.inject({ method: "GET", url: "/v1/models" })).json<ModelsList>();
    const fake = models.find((model) => model.name === "fake/overlap");
    assert.deepEqual(fake && { backend: fake.backend, aliases: fake.aliases, test_model: fake.test_model, context_length: fake.context_length }, { backend: "word-overlap", aliases: ["fake"], test_model: true, context_length: undefined });
    assert.equal(models.find((model) => model.name === "test/tinybert-l2")?.backend, "cross-encoder-onnx");
  });

  it("ranks with the contract: its scores, sigmoid-calibrated, ties by input order, topN", async () => {
    const response = await rerank({ model: "fake", query, documents, top_n: 3 });
    assert.equal(response.statusCode, 200);
    const body = response.json<V2RerankResponse>();
    const words = (text: string) => new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
    const overlap = documents.map((document) => [...words(query)].filter((word) => words(document).has(word)).length);
    const expected = overlap.map((count, index) => ({ index, relevance_score: sigmoid(2 * count) })).sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index).slice(0, 3);
    assert.deepEqual(body.results, expected);
    assert.equal(body.results[0].index, 1);
  });

  it("gives every request the same answer alone or batched with concurrent ones", async () => {
    const bodies = documents.map((_, start) => ({ model: "fake", query, documents: [...documents.slice(start), ...documents.slice(0, start)] }));
    const alone = [];
    for (const body of bodies) alone.push((await rerank(body)).json<V2RerankResponse>().results);
    const together = await Promise.all(bodies.map(async (body) => (await rerank(body)).json<V2RerankResponse>().results));
    assert.deepEqual(together, alone);
  });

  it("answers bad input with the same status, code, message and issues as the ONNX backend", async () => {
    const bad = [
      { query: "  ", documents },
      { query, documents: [] },
      { query, documents: ["a", " "] },
      { query, documents: ["a"], top_n: 0 },
      { query, documents: ["a"], max_tokens_per_doc: 0 },
    ];
    for (const body of bad) {
      const [fake, onnx] = await Promise.all([rerank({ ...body, model: "fake" }), rerank({ ...body, model: "onnx" })]);
      assert.equal(fake.statusCode, 400, JSON.stringify(body));
      assert.equal(fake.statusCode, onnx.statusCode);
      assert.deepEqual({ ...fake.json<Record<string, unknown>>(), request_id: undefined }, { ...onnx.json<Record<string, unknown>>(), request_id: undefined }, JSON.stringify(body));
    }
  });

  it("warns about a degraded call in the same words as the ONNX backend", async () => {
    const [fake, onnx] = await Promise.all([rerank({ model: "fake", query, documents, top_n: 10 }), rerank({ model: "onnx", query, documents, top_n: 10 })]);
    const warnings = (response: typeof fake) => response.json<V2RerankResponse>().meta.warnings;
    assert.deepEqual(warnings(fake), ["top_n is 10 but only 4 documents were given; all are returned."]);
    assert.deepEqual(warnings(fake), warnings(onnx));
  });
});

describe("loading a registered backend", () => {
  it("checks the backend's own options against its schema", async () => {
    await assert.rejects(loadReranker({ backend: "word-overlap", model: "fake/overlap", options: { weight: -1 } }), (error: unknown) => {
      assert.equal((error as { code?: string }).code, "invalid_option");
      assert.match((error as Error).message, /backend word-overlap: options\.weight: /);
      return true;
    });
  });

  it("names the registered backends when asked for an unknown one", async () => {
    await assert.rejects(loadReranker({ backend: "nope", model: "x/y", modelsDir: testModelsDir }), /backend "nope" is not registered; use one of cross-encoder-onnx, .*word-overlap/);
  });

  it("runs in process through loadReranker too", async () => {
    const reranker = await loadReranker({ backend: "word-overlap", model: "fake/overlap" });
    const { results } = await reranker.rerank("red apple", ["green pear", "red apple pie"], { topN: 1 });
    assert.deepEqual(results, [{ index: 1, score: 2, relevanceScore: sigmoid(2) }]);
    await reranker.dispose();
  });
});
