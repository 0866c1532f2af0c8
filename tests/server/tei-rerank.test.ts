import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../../src/server/start-server.js";
import { scifactTexts } from "../support/test-models.js";
import { startTestServer } from "../support/test-server.js";

// TEI-style calls with plain fetch against a real listening server, on the random-weight test model.
const query = "What is Deep Learning?";
const texts = ["Deep Learning is not...", "Deep learning is...", "Cheese is made from milk."];

describe("POST /rerank (text-embeddings-inference compatible)", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const post = async (body: unknown) => {
    const response = await fetch(`${server.url}/rerank`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("returns [{ index, score }] sorted by calibrated score, highest first", async () => {
    const { status, body } = await post({ query, texts });
    assert.equal(status, 200);
    const ranked = body as { index: number; score: number; text?: string }[];
    const direct = await server.registry.served[0].reranker.rerank(query, texts, { maxChunksPerDoc: 1 });
    assert.deepEqual(ranked, direct.results.map((result) => ({ index: result.index, score: result.relevanceScore })));
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1].score >= ranked[i].score);
    assert.ok(ranked.every((item) => item.score > 0 && item.score < 1 && !("text" in item)));
  });

  it("raw_scores returns the logits; return_text returns the texts", async () => {
    const { body } = await post({ query, texts, raw_scores: true, return_text: true, truncate: true, truncation_direction: "Right" });
    const ranked = body as { index: number; score: number; text: string }[];
    const direct = await server.registry.served[0].reranker.rerank(query, texts);
    assert.deepEqual(ranked, direct.results.map((result) => ({ index: result.index, score: result.score, text: texts[result.index] })));
  });

  it("truncates a long text to its first window, as TEI does", async () => {
    const long = scifactTexts(6).join(" ");
    const { body } = await post({ query, texts: [long, "short"], raw_scores: true });
    const direct = await server.registry.served[0].reranker.rerank(query, [long, "short"], { maxChunksPerDoc: 1 });
    assert.deepEqual(body, direct.results.map((result) => ({ index: result.index, score: result.score })));
  });

  it("errors carry TEI's error and error_type besides message and code", async () => {
    const { status, body } = await post({ query: "", texts });
    assert.equal(status, 400);
    assert.deepEqual(
      { ...(body as Record<string, unknown>), request_id: undefined },
      {
        message: "invalid request: query must not be empty or be only whitespace",
        code: "empty_query",
        issues: [{ path: "query", code: "empty_query", message: "query must not be empty or be only whitespace" }],
        error: "invalid request: query must not be empty or be only whitespace",
        error_type: "Validation",
        request_id: undefined,
      },
    );
  });
});
