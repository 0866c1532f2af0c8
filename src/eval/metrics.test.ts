import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  averagePrecisionAtK,
  compareByteOrder,
  ndcgAtK,
  parseMetricName,
  precisionAtK,
  rankLikeTrecEval,
  recallAtK,
  reciprocalRankAtK,
} from "./metrics.js";

function close(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${message ?? ""} expected ${expected}, got ${actual}`);
}

// One query, hand-worked. Judged: d1 non-relevant (0), d2 grade 2, d4 grade 1, d9 grade 1 (never
// retrieved); d3 is unjudged. Relevant = {d2, d4, d9}, so 3 relevant documents.
const judgments = new Map([
  ["d1", 0],
  ["d2", 2],
  ["d4", 1],
  ["d9", 1],
]);
const ranking = ["d1", "d2", "d3", "d4"];

describe("nDCG@k (trec_eval ndcg_cut: linear gain, log2(rank + 1) discount)", () => {
  it("uses the grade as gain and builds the ideal ranking from all qrels, retrieved or not", () => {
    // DCG@3: only d2 (grade 2) at rank 2 → 2/log2(3) = 1.2618595…
    // IDCG@3: grades 2, 1, 1 → 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298…
    close(ndcgAtK(ranking, judgments, 3), 2 / Math.log2(3) / (2 + 1 / Math.log2(3) + 0.5));
    assert.ok(Math.abs(ndcgAtK(ranking, judgments, 3) - 0.403030284) < 1e-9);
  });

  it("adds later relevant documents only within the cutoff", () => {
    // DCG@4 adds d4 at rank 4: 1/log2(5). IDCG@4 has only 3 positive grades.
    const expected = (2 / Math.log2(3) + 1 / Math.log2(5)) / (2 + 1 / Math.log2(3) + 0.5);
    close(ndcgAtK(ranking, judgments, 4), expected);
    close(ndcgAtK(ranking, judgments, 100), expected, "a cutoff beyond the ranking changes nothing");
  });

  it("is 1 for the ideal ranking and 0 for a query without relevant documents", () => {
    close(ndcgAtK(["d2", "d4", "d9"], judgments, 10), 1);
    close(ndcgAtK(["a", "b"], new Map([["a", 0]]), 10), 0);
    close(ndcgAtK([], judgments, 10), 0);
  });

  it("ignores negative grades in both DCG and the ideal", () => {
    close(ndcgAtK(["x", "y"], new Map([["x", -1], ["y", 1]]), 10), 1 / Math.log2(3));
  });
});

describe("MRR@k (trec_eval recip_rank truncated at k)", () => {
  it("is 1/rank of the first relevant document inside the cutoff", () => {
    close(reciprocalRankAtK(ranking, judgments, 10), 1 / 2);
    close(reciprocalRankAtK(ranking, judgments, 1), 0);
  });
  it("treats grade 0 and unjudged documents as non-relevant", () => {
    close(reciprocalRankAtK(["d1", "d3"], judgments, 10), 0);
  });
});

describe("MAP@k (trec_eval map_cut)", () => {
  it("divides by every relevant document of the query, retrieved or not", () => {
    // Relevant at rank 2 (precision 1/2) and rank 4 (precision 2/4): (0.5 + 0.5) / 3.
    close(averagePrecisionAtK(ranking, judgments, 4), 1 / 3);
    close(averagePrecisionAtK(ranking, judgments, 3), 0.5 / 3);
  });
  it("is 0 without relevant documents", () => {
    close(averagePrecisionAtK(["a"], new Map([["a", 0]]), 10), 0);
  });
});

describe("Recall@k and Precision@k", () => {
  it("recall counts relevant documents in the top k over all relevant", () => {
    close(recallAtK(ranking, judgments, 4), 2 / 3);
    close(recallAtK(ranking, judgments, 1), 0);
    close(recallAtK(["a"], new Map([["a", 0]]), 10), 0);
  });
  it("precision divides by k even when fewer documents were retrieved", () => {
    close(precisionAtK(ranking, judgments, 4), 2 / 4);
    close(precisionAtK(ranking, judgments, 10), 2 / 10);
  });
});

describe("ranking like trec_eval", () => {
  it("breaks score ties by document id descending", () => {
    const ranked = rankLikeTrecEval([
      { documentId: "a", score: 1 },
      { documentId: "c", score: 2 },
      { documentId: "b", score: 1 },
    ]);
    assert.deepEqual(
      ranked.map((document) => document.documentId),
      ["c", "b", "a"],
    );
    // With only "a" relevant, the tie order decides the reciprocal rank: 1/3, not 1/2.
    const ids = ranked.map((document) => document.documentId);
    close(reciprocalRankAtK(ids, new Map([["a", 1]]), 10), 1 / 3);
  });

  it("compares ids as strings, not numbers (\"9\" sorts above \"10\")", () => {
    const ranked = rankLikeTrecEval([
      { documentId: "10", score: 0.5 },
      { documentId: "9", score: 0.5 },
      { documentId: "100", score: 0.5 },
    ]);
    assert.deepEqual(
      ranked.map((document) => document.documentId),
      ["9", "100", "10"],
    );
  });

  it("orders by UTF-8 bytes like strcmp, also above U+FFFF", () => {
    assert.ok(compareByteOrder("\u{1F600}", "\uFFFF") > 0);
    assert.ok(compareByteOrder("abc", "abd") < 0);
    assert.ok(compareByteOrder("ab", "abc") < 0);
    assert.equal(compareByteOrder("x", "x"), 0);
  });

  it("does not mutate its input", () => {
    const input = [
      { documentId: "a", score: 1 },
      { documentId: "b", score: 2 },
    ];
    rankLikeTrecEval(input);
    assert.equal(input[0].documentId, "a");
  });
});

describe("metric names", () => {
  it("parses kind@k and rejects anything else", () => {
    assert.deepEqual(parseMetricName("ndcg@10"), { kind: "ndcg", k: 10 });
    assert.deepEqual(parseMetricName("map@100"), { kind: "map", k: 100 });
    assert.equal(parseMetricName("ndcg@0"), undefined);
    assert.equal(parseMetricName("ndcg"), undefined);
    assert.equal(parseMetricName("bleu@4"), undefined);
  });
});
