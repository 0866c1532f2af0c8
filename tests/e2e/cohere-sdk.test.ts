import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Cohere, CohereClient, CohereClientV2, CohereError } from "cohere-ai";
import type { RunningServer } from "../../src/server/start-server.js";
import { scifactTexts } from "../support/test-models.js";
import { exampleDocuments, exampleQuery } from "../support/cohere-example.js";
import { startTestServer } from "../support/test-server.js";

// The official cohere-ai SDK against a real listening server on loopback, on the
// random-weight test model: these tests check wire compatibility, never ranking quality.
const token = "sdk-test-key";
const query = exampleQuery;
const documents = exampleDocuments;

describe("the cohere-ai SDK against openrerank", () => {
  let server: RunningServer;
  // maxRetries 0: the SDK retries 408, 429 and 5xx twice by default (honouring Retry-After), which would hide the first answer.
  const v2 = () => new CohereClientV2({ token, environment: server.url, maxRetries: 0 });
  const v1 = () => new CohereClient({ token, environment: server.url, maxRetries: 0 });

  before(async () => {
    server = await startTestServer({ apiKey: [token], maxQueuedPairs: "8" });
  });
  after(() => server.close());

  it("CohereClientV2.rerank returns typed results, most relevant first, with the library's scores", async () => {
    const response = await v2().rerank({ model: "rerank-v3.5", query, documents, topN: 3 });
    assert.equal(typeof response.id, "string");
    assert.equal(response.results.length, 3);
    const direct = await server.registry.served[0].reranker.rerank(query, documents, { topN: 3 });
    assert.deepEqual(
      response.results.map((result) => ({ index: result.index, relevanceScore: result.relevanceScore })),
      direct.results.map((result) => ({ index: result.index, relevanceScore: result.relevanceScore })),
    );
    assert.equal(response.meta?.apiVersion?.version, "2");
    assert.equal(response.meta?.billedUnits?.searchUnits, 1);
  });

  it("CohereClientV2.rerank passes maxTokensPerDoc and surfaces warnings as strings", async () => {
    const response = await v2().rerank({ model: "rerank-v3.5", query, documents, maxTokensPerDoc: 3 });
    assert.equal(response.results.length, documents.length);
    assert.ok(response.meta?.warnings?.some((warning) => warning.includes("max_tokens_per_doc = 3")));
  });

  it("CohereClient (v1).rerank with returnDocuments and rankFields returns the documents", async () => {
    const records = documents.map((text, index) => ({ title: `Doc ${index}`, text }));
    const response = await v1().rerank({ model: "rerank-english-v3.0", query, documents: records, rankFields: ["title", "text"], returnDocuments: true, topN: 2 });
    assert.equal(response.results.length, 2);
    for (const result of response.results) {
      assert.deepEqual(result.document, records[result.index]);
      assert.ok(result.relevanceScore > 0 && result.relevanceScore < 1);
    }
    const direct = await server.registry.served[0].reranker.rerank(query, records.map((record) => `title: ${record.title}\ntext: ${record.text}`), { topN: 2 });
    assert.deepEqual(response.results.map((result) => result.index), direct.results.map((result) => result.index));
    assert.equal(response.meta?.apiVersion?.version, "1");
  });

  it("CohereClient (v1).rerank with string documents and no returnDocuments leaves document out", async () => {
    const response = await v1().rerank({ query, documents });
    assert.equal(response.results.length, documents.length);
    assert.ok(response.results.every((result) => result.document === undefined));
  });

  it("models.list shows the served model with its aliases", async () => {
    const response = await v1().models.list();
    assert.equal(response.models[0].name, "test/minilm-l6");
    assert.equal(response.models[0].contextLength, 512);
    assert.deepEqual(response.models[0].endpoints, ["rerank"]);
  });

  it("400 surfaces as Cohere.BadRequestError with our message", async () => {
    const error = await v2()
      .rerank({ model: "rerank-v3.5", query: "   ", documents })
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof Cohere.BadRequestError, String(error));
    assert.ok(error instanceof CohereError);
    assert.equal(error.statusCode, 400);
    assert.deepEqual((error.body as { message: string; code: string }).message, "invalid request: query must not be empty or be only whitespace");
  });

  it("401 surfaces as Cohere.UnauthorizedError", async () => {
    const client = new CohereClientV2({ token: "wrong-key", environment: server.url, maxRetries: 0 });
    const error = await client.rerank({ model: "rerank-v3.5", query, documents }).catch((caught: unknown) => caught);
    assert.ok(error instanceof Cohere.UnauthorizedError, String(error));
    assert.equal((error.body as { message: string }).message, "invalid api token");
  });

  it("404 surfaces as Cohere.NotFoundError naming the served models", async () => {
    const error = await v2()
      .rerank({ model: "rerank-v9.9", query, documents })
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof Cohere.NotFoundError, String(error));
    assert.match((error.body as { message: string }).message, /^model 'rerank-v9\.9' not found.*test\/minilm-l6/);
  });

  it("429 surfaces as Cohere.TooManyRequestsError with a Retry-After header", async () => {
    // Window-filling documents keep each batch busy long enough for concurrent requests to find the 8-pair queue full.
    const many = scifactTexts(16).reduce<string[]>((pairs, text, index) => (index % 2 ? [...pairs.slice(0, -1), `${pairs[pairs.length - 1]} ${text}`] : [...pairs, text]), []);
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => v2().rerank({ model: "rerank-v3.5", query, documents: many })));
    const rejected = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
    assert.ok(rejected.length > 0, "some requests found the 8-pair queue full");
    assert.ok(settled.some((outcome) => outcome.status === "fulfilled"));
    for (const error of rejected) {
      assert.ok(error instanceof Cohere.TooManyRequestsError, String(error));
      assert.equal((error.body as { code: string }).code, "queue_full");
      assert.match(error.rawResponse?.headers.get("retry-after") ?? "", /^\d+$/);
    }
  });

  it("with the SDK's default retries, a 429 is retried after Retry-After and succeeds", async () => {
    const many = Array.from({ length: 8 }, (_, index) => `${documents[index % 4]} (${index})`);
    const client = new CohereClientV2({ token, environment: server.url });
    const results = await Promise.all(Array.from({ length: 3 }, () => client.rerank({ model: "rerank-v3.5", query, documents: many })));
    assert.ok(results.every((response) => response.results.length === 8));
  });
});
