import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import type { RunningServer } from "../../src/server/start-server.js";
import { V1RerankResponse } from "../../src/server/wire/cohere-v1-rerank.js";
import { scifactTexts } from "../support/test-models.js";
import { postJson, startTestServer } from "../support/test-server.js";

// Random-weight test model: these tests check the API's mechanics, never ranking quality.
const query = "Who wrote about the capital?";

describe("POST /v1/rerank", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const rerank = (body: unknown) => server.app.inject(postJson("/v1/rerank", body));
  const libraryRanking = async (texts: string[]) =>
    (await server.registry.served[0].reranker.rerank(query, texts)).results.map((result) => ({ index: result.index, relevance_score: result.relevanceScore }));

  it("answers in Cohere's v1 shape without documents by default", async () => {
    const response = await rerank({ model: "rerank-english-v3.0", query, documents: ["a text", "another text"] });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    const body = response.json<V1RerankResponse>();
    assert.ok(Value.Check(V1RerankResponse, body));
    assert.deepEqual(body.meta.api_version, { version: "1" });
    assert.equal(body.id, response.headers["x-request-id"]);
    assert.deepEqual(body.results, await libraryRanking(["a text", "another text"]));
    assert.ok(body.results.every((result) => !("document" in result)));
  });

  it("returns object documents byte for byte and strings as { text }", async () => {
    // Written by hand: the number formats, key order, escapes and big integer must survive untouched.
    const raw = `{"query":${JSON.stringify(query)},"return_documents":true,"documents":[{"text":"first","score":1.50,"id":12345678901234567890,"note":"caf\\u00e9"} , "second",{ "title" : "t", "text":"third", "tags":["x", {"y": null}] }]}`;
    const response = await server.app.inject({ method: "POST", url: "/v1/rerank", payload: raw, headers: { "content-type": "application/json" } });
    assert.equal(response.statusCode, 200);
    const documents = new Map<number, unknown>();
    const text = response.body;
    assert.ok(text.includes(`"document":{"text":"first","score":1.50,"id":12345678901234567890,"note":"caf\\u00e9"}`), text);
    assert.ok(text.includes(`"document":{ "title" : "t", "text":"third", "tags":["x", {"y": null}] }`), text);
    assert.ok(text.includes(`"document":{"text":"second"}`), text);
    const body = response.json<V1RerankResponse>();
    assert.ok(Value.Check(V1RerankResponse, body));
    for (const result of body.results) documents.set(result.index, result.document);
    assert.deepEqual(documents.get(1), { text: "second" });
    assert.deepEqual(body.results.map(({ index, relevance_score }) => ({ index, relevance_score })), await libraryRanking(["first", "second", "third"]));
  });

  it("ranks several rank_fields as key: value lines in rank_fields order", async () => {
    const documents = [
      { title: "Paris", author: "Ada", text: "The capital of France." },
      { title: "Rome", author: "Bo", text: "The capital of Italy.", extra: 1 },
    ];
    const body = (await rerank({ query, documents, rank_fields: ["title", "author", "text"] })).json<V1RerankResponse>();
    assert.deepEqual(
      body.results,
      await libraryRanking(["title: Paris\nauthor: Ada\ntext: The capital of France.", "title: Rome\nauthor: Bo\ntext: The capital of Italy."]),
    );
  });

  it("answers a Jina-shaped request (model, query, documents, top_n, return_documents) with document.text", async () => {
    const response = await rerank({ model: "test/minilm-l6", query, documents: ["one", "two", "three"], top_n: 2, return_documents: true });
    assert.equal(response.statusCode, 200);
    const body = response.json<V1RerankResponse>();
    assert.equal(body.results.length, 2);
    for (const result of body.results) {
      assert.equal(typeof result.relevance_score, "number");
      assert.equal((result.document as { text: string }).text, ["one", "two", "three"][result.index]);
    }
  });

  it("scores long documents in windows, at most max_chunks_per_doc of them, with a warning for dropped ones", async () => {
    const long = scifactTexts(6).join(" ");
    const windowed = (await rerank({ query, documents: [long, "short"] })).json<V1RerankResponse>();
    assert.equal(windowed.meta.warnings, undefined, "the default of 10 windows covers a document of a few thousand tokens");
    const capped = (await rerank({ query, documents: [long, "short"], max_chunks_per_doc: 1 })).json<V1RerankResponse>();
    assert.match(capped.meta.warnings?.[0] ?? "", /1 document\(s\) needed more than max_chunks_per_doc = 1 windows/);
    const direct = await server.registry.served[0].reranker.rerank(query, [long, "short"], { maxChunksPerDoc: 1 });
    assert.deepEqual(capped.results, direct.results.map((result) => ({ index: result.index, relevance_score: result.relevanceScore })));
  });

  it("treats null options as absent, as the cohere-ai SDK sends them", async () => {
    const response = await rerank({ model: null, query, documents: ["a", "b"], top_n: null, rank_fields: null, return_documents: null, max_chunks_per_doc: null });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<V1RerankResponse>().results.length, 2);
    const missing = await rerank({ query, documents: null });
    assert.equal(missing.json().message, "invalid request: documents is required");
  });

  it("accepts max_chunks_per_doc and enforces Cohere's documents × chunks limit", async () => {
    assert.equal((await rerank({ query, documents: ["a"], max_chunks_per_doc: 5 })).statusCode, 200);
    const documents = Array.from({ length: 1000 }, (_, index) => `document ${index}`);
    const response = await rerank({ query, documents });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, "too_many_chunks");
    assert.match(response.json().message, /^invalid request: number of total max chunks \(number of documents \* max chunks per doc\) must be less than 10000/);
    assert.equal((await rerank({ query, documents, max_chunks_per_doc: 9 })).statusCode, 200);
  });

  it("gives passages in the ranked text of object documents (extension)", async () => {
    const record = { title: "Capitals", text: `${"Filler sentence about nothing much. ".repeat(120)}Washington, D.C. is the capital.` };
    const response = await server.app.inject(postJson("/v1/rerank", { query: "capital", documents: [record], rank_fields: ["title", "text"], return_passages: true, return_documents: true }));
    assert.equal(response.statusCode, 200);
    const body = response.json<{ results: { passage?: { start: number; end: number }; document: unknown }[]; meta: { tokens?: { input_tokens: number } } }>();
    const rankedText = `title: Capitals\ntext: ${record.text}`;
    const passage = body.results[0].passage;
    assert.ok(passage && passage.end <= rankedText.length && passage.start < passage.end);
    assert.deepEqual(body.results[0].document, record);
    assert.ok((body.meta.tokens?.input_tokens ?? 0) > 500);
  });
});
