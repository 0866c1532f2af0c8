import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareRuns, topDocument } from "./compare-runs.js";
import type { MetricValues } from "./evaluate-run.js";

describe("compareRuns", () => {
  const values = (ndcg: number): MetricValues => ({ "ndcg@10": ndcg }) as MetricValues;
  it("counts wins, ties (within float noise) and losses, and top-1 agreement", () => {
    const before = new Map([
      ["a", values(0.5)],
      ["b", values(0.5)],
      ["c", values(0.5)],
      ["d", values(0.5)],
    ]);
    const after = new Map([
      ["a", values(0.7)],
      ["b", values(0.5 + 1e-12)],
      ["c", values(0.2)],
      ["d", values(0.5)],
    ]);
    const firstStage = new Map([
      ["a", [{ documentId: "x", score: 2 }, { documentId: "y", score: 1 }]],
      ["b", [{ documentId: "x", score: 1 }]],
      ["c", []],
    ]);
    const reranked = new Map([
      ["a", [{ documentId: "y", score: 5 }, { documentId: "x", score: 1 }]],
      ["b", [{ documentId: "x", score: 0.1 }]],
      ["c", []],
    ]);
    const comparison = compareRuns("ndcg@10", before, after, firstStage, reranked);
    assert.deepEqual(comparison, { metric: "ndcg@10", wins: 1, ties: 2, losses: 1, sameTopOne: 1, comparableQueries: 2, topOneAgreement: 0.5 });
  });

  it("picks the top document the way trec_eval ranks (ties by id descending)", () => {
    assert.equal(topDocument([{ documentId: "a", score: 1 }, { documentId: "b", score: 1 }]), "b");
    assert.equal(topDocument([]), undefined);
  });
});
