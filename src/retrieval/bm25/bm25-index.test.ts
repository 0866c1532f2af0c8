import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OpenRerankError } from "../../errors/catalog.js";
import { Bm25Index } from "./bm25-index.js";
import { createEnglishAnalyzer } from "./english-analyzer.js";

const documents = [
  { id: "d1", text: "Vitamin D deficiency and bone fractures" },
  { id: "d2", text: "Bone density in older adults: a cohort study of bone loss" },
  { id: "d3", text: "Gut microbiota composition" },
  { id: "d4", text: "Vitamin C and the common cold" },
];

describe("Bm25Index", () => {
  const index = Bm25Index.build(documents);

  it("ranks documents by BM25 and leaves out documents without a query term", () => {
    const hits = index.search("bone fractures", 10);
    assert.deepEqual(
      hits.map((hit) => hit.documentId),
      ["d1", "d2"],
    );
    assert.ok(hits[0].score > hits[1].score);
  });

  it("matches stemmed forms and ignores stopwords", () => {
    assert.deepEqual(
      index.search("the fracture", 10).map((hit) => hit.documentId),
      ["d1"],
    );
    assert.deepEqual(index.search("the and of", 10), []);
    assert.deepEqual(index.search("unknownterm", 10), []);
  });

  it("weights a repeated query term by its count, as Anserini's bag-of-words query does", () => {
    const once = index.search("vitamin", 10)[0].score;
    const twice = index.search("vitamin vitamin", 10)[0].score;
    assert.ok(Math.abs(twice - 2 * once) < 1e-5);
  });

  it("keeps corpus order on equal scores and honours topK", () => {
    const tied = Bm25Index.build([
      { id: "b", text: "same words here" },
      { id: "a", text: "same words here" },
    ]);
    assert.deepEqual(
      tied.search("words", 10).map((hit) => hit.documentId),
      ["b", "a"],
    );
    assert.equal(index.search("vitamin bone", 1).length, 1);
  });

  it("gives identical results when searched twice (scratch buffers are reset)", () => {
    assert.deepEqual(index.search("vitamin bone", 10), index.search("vitamin bone", 10));
  });

  it("applies k1 and b at search time", () => {
    const noLengthNormalization = index.withParameters({ b: 0 });
    assert.equal(noLengthNormalization.data.parameters.b, 0);
    // d2 (8 terms) is longer than average (5), so dropping length normalization raises its score.
    assert.ok(noLengthNormalization.search("bone", 10)[0].score > index.search("bone", 10)[0].score);
  });

  it("reports progress and counts", () => {
    const seen: number[] = [];
    const built = Bm25Index.build(documents, { onProgress: (indexed) => seen.push(indexed) });
    assert.deepEqual(seen, [4]);
    assert.equal(built.documentCount, 4);
    assert.ok(built.approximateBytes > 0);
  });

  it("rejects duplicate ids, bad parameters and a mismatched analyzer", () => {
    const isInvalid = (code: string) => (error: unknown) => error instanceof OpenRerankError && error.code === code;
    assert.throws(() => Bm25Index.build([documents[0], documents[0]]), isInvalid("invalid_dataset"));
    assert.throws(() => Bm25Index.build(documents, { parameters: { b: 2 } }), isInvalid("invalid_option"));
    assert.throws(() => Bm25Index.build(documents, { parameters: { k1: -1 } }), isInvalid("invalid_option"));
    assert.throws(() => Bm25Index.fromData(index.data, createEnglishAnalyzer({ stem: false })), isInvalid("invalid_option"));
  });
});
