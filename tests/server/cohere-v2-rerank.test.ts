import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Value } from "@sinclair/typebox/value";
import type { RunningServer } from "../../src/server/start-server.js";
import { V2RerankResponse } from "../../src/server/wire/cohere-v2-rerank.js";
import { exampleDocuments, exampleQuery } from "../support/cohere-example.js";
import { postJson, startTestServer } from "../support/test-server.js";

// Random-weight test model: these tests check the API's mechanics, never ranking quality.
const query = exampleQuery;
const documents = exampleDocuments;

describe("POST /v2/rerank", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const rerank = (body: unknown) => server.app.inject(postJson("/v2/rerank", body));

  it("answers in Cohere's v2 shape with the library's scores, most relevant first", async () => {
    const response = await rerank({ model: "test/minilm-l6", query, documents });
    assert.equal(response.statusCode, 200);
    const body = response.json<V2RerankResponse>();
    assert.ok(Value.Check(V2RerankResponse, body), JSON.stringify([...Value.Errors(V2RerankResponse, body)][0]));
    assert.equal(body.id, response.headers["x-request-id"]);
    assert.deepEqual(body.meta.api_version, { version: "2" });
    assert.equal(body.meta.billed_units.search_units, 1);
    assert.equal(body.meta.warnings, undefined);
    const direct = await server.registry.served[0].reranker.rerank(query, documents);
    assert.deepEqual(
      body.results,
      direct.results.map((result) => ({ index: result.index, relevance_score: result.relevanceScore })),
    );
    for (const result of body.results) assert.equal("document" in result, false);
  });

  it("answers to the model's aliases, and to no model name when one model is served", async () => {
    const byId = (await rerank({ model: "test/minilm-l6", query, documents })).json<V2RerankResponse>().results;
    for (const model of ["rerank-v3.5", "rerank-english-v3.0", undefined]) {
      const response = await rerank({ model, query, documents });
      assert.equal(response.statusCode, 200, `model ${model}`);
      assert.deepEqual(response.json<V2RerankResponse>().results, byId);
    }
  });

  it("top_n returns a prefix of the full ranking; a top_n above the count returns all with a warning", async () => {
    const full = (await rerank({ query, documents })).json<V2RerankResponse>();
    const top = (await rerank({ query, documents, top_n: 2 })).json<V2RerankResponse>();
    assert.deepEqual(top.results, full.results.slice(0, 2));
    const many = (await rerank({ query, documents, top_n: 10 })).json<V2RerankResponse>();
    assert.equal(many.results.length, documents.length);
    assert.match(many.meta.warnings?.[0] ?? "", /top_n is 10 but only 4 documents/);
  });

  it("accepts { text } objects as documents, ranked like the same strings", async () => {
    const asStrings = (await rerank({ query, documents })).json<V2RerankResponse>();
    const asObjects = (await rerank({ query, documents: documents.map((text) => ({ text })) })).json<V2RerankResponse>();
    assert.deepEqual(asObjects.results, asStrings.results);
  });

  it("cuts documents to max_tokens_per_doc, with a warning string naming them", async () => {
    const long = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
    const cut = (await rerank({ query, documents: [long, "short"], max_tokens_per_doc: 4 })).json<V2RerankResponse>();
    assert.match(cut.meta.warnings?.[0] ?? "", /1 document\(s\) had more than max_tokens_per_doc = 4 tokens and were cut to it \(indices 0\)/);
    const prefix = (await rerank({ query, documents: ["alpha beta gamma delta", "short"] })).json<V2RerankResponse>();
    assert.deepEqual(cut.results, prefix.results, "the cut document scores like its 4-token prefix");
    const unbound = (await rerank({ query, documents: [long, "short"], max_tokens_per_doc: 4096 })).json<V2RerankResponse>();
    assert.equal(unbound.meta.warnings, undefined);
  });

  it("bills documents over 500 tokens as several, by Cohere's rule", async () => {
    const hundredAndOne = Array.from({ length: 101 }, (_, index) => `document number ${index}`);
    const response = (await rerank({ query, documents: hundredAndOne })).json<V2RerankResponse>();
    assert.equal(response.meta.billed_units.search_units, 2);
  });

  it("reports tokens read in meta.tokens, and passages only when asked (extension)", async () => {
    const plain = (await rerank({ query, documents })).json<V2RerankResponse>();
    assert.ok((plain.meta.tokens?.input_tokens ?? 0) > documents.length * 10);
    for (const result of plain.results) assert.equal("passage" in result, false);

    const long = `${"Nevada has a desert climate. ".repeat(150)}Washington, D.C. is the capital of the United States. ${"Islands lie in the Pacific. ".repeat(150)}`;
    const response = await rerank({ query, documents: [long, documents[0]], return_passages: true, window_overlap: 32 });
    assert.equal(response.statusCode, 200);
    const body = response.json<V2RerankResponse>();
    assert.ok(Value.Check(V2RerankResponse, body));
    const passage = body.results.find((result) => result.index === 0)?.passage;
    assert.ok(passage && passage.start >= 0 && passage.end <= long.length && passage.end - passage.start < long.length, JSON.stringify(passage));
    assert.deepEqual(body.results.find((result) => result.index === 1)?.passage, { start: 0, end: documents[0].length });

    const badOverlap = await rerank({ query, documents: [long], window_overlap: 5000 });
    assert.equal(badOverlap.statusCode, 400);
    assert.match(badOverlap.json<{ message: string }>().message, /window overlap 5000 must be a whole number from 0 to/);
  });
});
