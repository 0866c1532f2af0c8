import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CohereRerank } from "@langchain/cohere";
import { Document } from "@langchain/core/documents";
import { createRequire } from "node:module";
import type { RunningServer } from "../../src/server/start-server.js";
import { startTestServer } from "../support/test-server.js";

// LangChain's CohereRerank document compressor, given a CohereClient pointed at openrerank. The
// client comes from the cohere-ai that @langchain/cohere itself resolves (it pins its own major,
// 7.x today, beside the project's 8.x), so this is the pairing LangChain users actually run.
type LangChainCohereClient = NonNullable<NonNullable<ConstructorParameters<typeof CohereRerank>[0]>["client"]>;
const { CohereClient } = createRequire(import.meta.resolve("@langchain/cohere"))("cohere-ai") as {
  CohereClient: new (options: { token: string; environment: string }) => LangChainCohereClient;
};
const query = "Where do penguins live?";
const documents = [
  new Document({ pageContent: "Penguins live almost exclusively in the Southern Hemisphere.", metadata: { source: "a" } }),
  new Document({ pageContent: "The stock market closed higher today.", metadata: { source: "b" } }),
  new Document({ pageContent: "Emperor penguins breed in Antarctica during winter.", metadata: { source: "c" } }),
  new Document({ pageContent: "Bread is baked from flour, water and yeast.", metadata: { source: "d" } }),
];

describe("LangChain CohereRerank against openrerank", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ apiKey: ["langchain-key"] });
  });
  after(() => server.close());

  it("compressDocuments keeps the top documents in the server's order, with relevance scores in metadata", async () => {
    const client = new CohereClient({ token: "langchain-key", environment: server.url });
    const reranker = new CohereRerank({ client, model: "rerank-english-v3.0", topN: 2 });
    const compressed = await reranker.compressDocuments(documents.map((document) => new Document({ ...document, metadata: { ...document.metadata } })), query);
    assert.equal(compressed.length, 2);
    const direct = await server.registry.served[0].reranker.rerank(query, documents.map((document) => document.pageContent), { topN: 2 });
    assert.deepEqual(
      compressed.map((document) => document.metadata.source),
      direct.results.map((result) => documents[result.index].metadata.source),
    );
    compressed.forEach((document, rank) => {
      assert.equal(document.metadata.relevanceScore, direct.results[rank].relevanceScore);
    });
  });

  it("rerank returns indices and scores for strings", async () => {
    const client = new CohereClient({ token: "langchain-key", environment: server.url });
    const reranker = new CohereRerank({ client, model: "rerank-v3.5" });
    const ranked = await reranker.rerank(documents.map((document) => document.pageContent), query, { topN: 4 });
    assert.equal(ranked.length, 4);
    assert.deepEqual(new Set(ranked.map((result) => result.index)), new Set([0, 1, 2, 3]));
  });
});
