import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { averageDocumentLength, bm25Idf, bm25TermScore, lengthNormalizationTable } from "./bm25-scoring.js";
import { intToByte4 } from "./lucene-small-float.js";

describe("BM25 scoring (Lucene BM25Similarity)", () => {
  it("idf = ln(1 + (N − df + 0.5) / (df + 0.5))", () => {
    // N = 10, df = 2: ln(1 + 8.5 / 2.5) = ln(4.4) = 1.4816045…
    assert.ok(Math.abs(bm25Idf(10, 2) - Math.log(4.4)) < 1e-6);
    assert.ok(bm25Idf(10, 10) > 0, "positive even for a term in every document");
  });

  it("matches weight · tf / (tf + k1 · (1 − b + b · dl / avgdl)) without the (k1 + 1) factor", () => {
    const parameters = { k1: 0.9, b: 0.4 };
    const averageLength = averageDocumentLength(300, 20); // 15
    const table = lengthNormalizationTable(parameters, averageLength);
    const documentLength = 20; // exact in the byte encoding (< 24)
    const idf = bm25Idf(20, 3);
    const expected = (idf * 2) / (2 + 0.9 * (1 - 0.4 + (0.4 * documentLength) / 15));
    const actual = bm25TermScore(idf, 2, table[intToByte4(documentLength)]);
    assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} vs ${expected}`);
    assert.equal(actual, Math.fround(actual), "scores are 32-bit floats");
  });

  it("scores more occurrences higher and longer documents lower", () => {
    const table = lengthNormalizationTable({ k1: 0.9, b: 0.4 }, 10);
    const short = table[intToByte4(5)];
    const long = table[intToByte4(50)];
    assert.ok(bm25TermScore(1, 2, short) > bm25TermScore(1, 1, short));
    assert.ok(bm25TermScore(1, 1, short) > bm25TermScore(1, 1, long));
  });
});
