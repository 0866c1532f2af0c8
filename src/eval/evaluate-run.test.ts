import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OpenRerankError } from "../errors/catalog.js";
import { evaluateRun } from "./evaluate-run.js";

describe("evaluateRun", () => {
  const qrels = new Map([
    ["q1", new Map([["a", 1]])],
    ["q2", new Map([["b", 1]])],
    ["q3", new Map([["c", 0]])], // judged, but nothing relevant
  ]);

  it("averages over every qrels query; missing and all-zero queries count as 0", () => {
    const run = new Map([
      [
        "q1",
        [
          { documentId: "a", score: 2 },
          { documentId: "x", score: 1 },
        ],
      ],
      // q2 absent from the run
      ["q3", [{ documentId: "c", score: 1 }]],
      ["q-unjudged", [{ documentId: "a", score: 1 }]], // ignored: no qrels
    ]);
    const result = evaluateRun(run, qrels, ["mrr@10", "recall@1"]);
    assert.equal(result.queryCount, 3);
    assert.equal(result.mean["mrr@10"], 1 / 3);
    assert.equal(result.mean["recall@1"], 1 / 3);
    assert.deepEqual(result.queriesWithoutCandidates, ["q2"]);
    assert.deepEqual(result.queriesWithoutRelevant, ["q3"]);
    assert.deepEqual([...result.perQuery.keys()], ["q1", "q2", "q3"]);
    assert.deepEqual(result.perQuery.get("q2"), { "mrr@10": 0, "recall@1": 0 });
  });

  it("ranks by score, not by the order given", () => {
    const run = new Map([
      [
        "q1",
        [
          { documentId: "x", score: 1 },
          { documentId: "a", score: 3 },
        ],
      ],
    ]);
    const result = evaluateRun(run, new Map([["q1", new Map([["a", 1]])]]), ["mrr@10"]);
    assert.equal(result.mean["mrr@10"], 1);
  });

  it("rejects an unknown metric with a message that lists what is allowed", () => {
    assert.throws(
      () => evaluateRun(new Map(), qrels, ["bleu@4" as "ndcg@4"]),
      (error: unknown) => error instanceof OpenRerankError && error.code === "invalid_option" && /ndcg@k/.test(error.message),
    );
  });
});
