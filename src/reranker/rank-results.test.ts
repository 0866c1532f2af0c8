import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OpenRerankError } from "../errors/catalog.js";
import { rankResults } from "./rank-results.js";
import { validateTopN } from "./validate-rerank-input.js";

const scored = (values: number[]) => values.map((logOdds, index) => ({ index, score: logOdds, logOdds }));

describe("rankResults", () => {
  it("sorts most relevant first and calibrates with the sigmoid", () => {
    const results = rankResults(scored([-1, 3, 0.5]), undefined);
    assert.deepEqual(results.map((r) => r.index), [1, 2, 0]);
    assert.ok(Math.abs(results[0].relevanceScore - 1 / (1 + Math.exp(-3))) < 1e-12);
    assert.ok(Math.abs(results[2].relevanceScore - 1 / (1 + Math.exp(1))) < 1e-12);
    assert.equal(results[0].score, 3);
  });

  it("keeps the lower index first on ties", () => {
    assert.deepEqual(rankResults(scored([1, 2, 1, 2, 1]), undefined).map((r) => r.index), [1, 3, 0, 2, 4]);
  });

  it("keeps the best topN, and all when topN exceeds the count", () => {
    assert.deepEqual(rankResults(scored([1, 5, 3, 4]), 2).map((r) => r.index), [1, 3]);
    assert.equal(rankResults(scored([1, 5]), 10).length, 2);
  });

  it("keeps relevanceScore in [0, 1] for extreme logits without NaN", () => {
    const results = rankResults(scored([1000, -1000]), undefined);
    assert.equal(results[0].relevanceScore, 1);
    assert.equal(results[1].relevanceScore, 0);
  });

  it("rejects a NaN or infinite score instead of sorting it", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.throws(() => rankResults(scored([1, bad, 2]), undefined), (error: unknown) => error instanceof OpenRerankError && error.code === "invalid_score" && /document 1/.test(error.message));
    }
  });
});

describe("validateTopN", () => {
  it("accepts positive integers and undefined", () => {
    assert.equal(validateTopN(3), 3);
    assert.equal(validateTopN(undefined), undefined);
  });
  it("rejects zero, negatives, fractions and non-numbers, naming the field", () => {
    for (const bad of [0, -1, 1.5, "3", Number.NaN]) {
      assert.throws(() => validateTopN(bad), (error: unknown) => error instanceof OpenRerankError && error.code === "invalid_top_n" && error.message.includes("topN"));
    }
  });
});

describe("search units (Cohere's billing rule)", async () => {
  const { billedDocumentCount, searchUnitsFor } = await import("./search-units.js");
  it("counts one unit per query with up to 100 documents", () => {
    assert.equal(searchUnitsFor(1), 1);
    assert.equal(searchUnitsFor(100), 1);
    assert.equal(searchUnitsFor(101), 2);
  });
  it("counts a document over 500 tokens as ceil(tokens/500) documents", () => {
    assert.equal(billedDocumentCount(20), 1);
    assert.equal(billedDocumentCount(500), 1);
    assert.equal(billedDocumentCount(501), 2);
    assert.equal(billedDocumentCount(1600), 4);
    // 99 short documents and one of 1,200 tokens: 99 + 3 = 102 documents → 2 units.
    assert.equal(searchUnitsFor(99 + billedDocumentCount(1200)), 2);
  });
});
