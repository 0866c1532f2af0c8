import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OpenRerankError } from "../../src/errors/catalog.js";
import { headlineMetrics } from "../../src/eval/evaluation-report.js";
import { runEvaluation } from "../../src/eval/run-evaluation.js";
import { scriptedReranker, wordOverlap } from "../support/scripted-backend.js";

const dataset = "tests/eval/fixtures/tiny-beir";
let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "openrerank-eval-"));
});
after(async () => rm(scratch, { recursive: true, force: true }));

function close(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
}

describe("runEvaluation on the tiny fixture", () => {
  it("scores BM25 alone over every judged query (hand-checked)", async () => {
    const { report, firstStageRun } = await runEvaluation({ datasetDirectory: dataset, topK: 5 });
    // q1: d1 (grade 2) first, d2 (grade 1) never retrieved → nDCG 2 / (2 + 1/log2 3); q2–q4 perfect; q5 gets nothing.
    const q1 = 2 / (2 + 1 / Math.log2(3));
    close(report.firstStage["ndcg@10"], (q1 + 3) / 5);
    close(report.firstStage["mrr@10"], 4 / 5);
    close(report.firstStage["map@100"], (0.5 + 3) / 5);
    close(report.firstStage["recall@10"], (0.5 + 3) / 5);
    assert.equal(report.dataset, "tiny-beir");
    assert.equal(report.queries, 5);
    assert.equal(report.queriesWithoutCandidates, 1);
    assert.equal(report.reranked, undefined);
    assert.deepEqual(
      report.perQuery.map((query) => query.queryId),
      ["q1", "q2", "q3", "q4", "q5"],
    );
    assert.deepEqual(Object.keys(report.firstStage), [...headlineMetrics]);
    assert.ok(report.perQuery.every((query) => query.firstStageMs !== undefined && query.rerankMs === undefined));
    assert.ok(report.warnings.some((warning) => /got no candidates .*q5/.test(warning)));
    assert.ok(report.warnings.some((warning) => /top-k is 5/.test(warning)));
    assert.equal(report.setup.firstStage.kind, "bm25");
    assert.ok([...firstStageRun.values()].every((documents) => documents.length <= 5));
    assert.ok(report.timings.indexMs !== undefined && report.timings.totalMs >= report.timings.firstStageMs);
  });

  it("reranks the candidates and counts wins, ties, losses and top-1 agreement", async () => {
    const reranker = scriptedReranker((query, document) => wordOverlap(query, document));
    const { report, rerankedRun } = await runEvaluation({ datasetDirectory: dataset, loadReranker: async () => reranker });
    // Word overlap puts d4 ("Vitamin C … does not prevent …") above d1 for q1: one loss; the rest keep their top document.
    assert.deepEqual(
      { wins: report.comparison!.wins, ties: report.comparison!.ties, losses: report.comparison!.losses },
      { wins: 0, ties: 4, losses: 1 },
    );
    assert.equal(report.comparison!.sameTopOne, 3);
    assert.equal(report.comparison!.comparableQueries, 4);
    close(report.perQuery[0].deltaNdcg10!, (2 / Math.log2(3)) / (2 + 1 / Math.log2(3)) - 2 / (2 + 1 / Math.log2(3)));
    assert.equal(report.perQuery[0].sameTopOne, false);
    assert.equal(rerankedRun!.get("q1")![0].documentId, "d4");
    assert.ok(reranker.backend.disposed, "the reranker is disposed");
    assert.equal(reranker.backend.calls.length, 4, "a query without candidates is not sent to the reranker");
    assert.equal(reranker.backend.calls[0].documents[0], "Vitamin D and bone health Vitamin D supplementation reduces the risk of bone fractures in older adults.");
    assert.equal(report.setup.reranker!.randomWeightTestModel, false);
    assert.ok(!report.notices.some((notice) => /earning its keep/.test(notice)), "75% agreement is below the hint threshold");
    assert.ok(report.perQuery.filter((query) => query.candidates > 0).every((query) => query.rerankMs !== undefined));
  });

  it("hints when the reranker keeps the first stage's top-1 and labels random-weight models", async () => {
    const keepsOrder = scriptedReranker((_query, _document, index) => -index, { isTestModel: true, id: "test/tinybert-l2" });
    const { report } = await runEvaluation({ datasetDirectory: dataset, loadReranker: async () => keepsOrder });
    assert.equal(report.comparison!.topOneAgreement, 1);
    assert.ok(report.notices.some((notice) => /keeps the first stage's top-1 document for 100% of queries/.test(notice)));
    assert.ok(report.notices.some((notice) => /test\/tinybert-l2 is a random-weight test model: scores carry no meaning/.test(notice)));
  });

  it("takes candidates from a TREC run file, ranked by score and cut at top-k", async () => {
    const path = join(scratch, "mine.trec");
    await writeFile(path, ["q1 Q0 d4 1 9 mine", "q1 Q0 d1 2 8 mine", "q1 Q0 d2 3 7 mine", "q2 Q0 d8 1 1 mine", "q99 Q0 d1 1 1 mine"].join("\n"));
    const { report, firstStageRun } = await runEvaluation({ datasetDirectory: dataset, firstStage: { kind: "run", path }, topK: 2 });
    assert.deepEqual(
      firstStageRun.get("q1")!.map((document) => document.documentId),
      ["d4", "d1"],
    );
    assert.equal(report.queriesWithoutCandidates, 3);
    assert.ok(report.warnings.some((warning) => /1 query id\(s\) in .*mine\.trec have no judgments/.test(warning)));
    assert.deepEqual(report.setup.firstStage, { kind: "run", path, runQueries: 3 });
  });

  it("refuses to rerank documents the corpus does not have, naming them", async () => {
    const path = join(scratch, "foreign.trec");
    await writeFile(path, "q1 Q0 not-in-corpus 1 1 x\n");
    const withoutReranker = await runEvaluation({ datasetDirectory: dataset, firstStage: { kind: "run", path } });
    assert.ok(withoutReranker.report.warnings.some((warning) => /1 retrieved document\(s\) are not in the corpus/.test(warning)));
    await assert.rejects(
      runEvaluation({ datasetDirectory: dataset, firstStage: { kind: "run", path }, loadReranker: async () => scriptedReranker(() => 0) }),
      (error: unknown) => error instanceof OpenRerankError && /names 1 document\(s\) that are not in .*corpus\.jsonl \(e\.g\. not-in-corpus\)/.test(error.message),
    );
  });

  it("reuses a saved BM25 index built from the same corpus", async () => {
    const indexPath = join(scratch, "tiny.orbm25");
    const first = await runEvaluation({ datasetDirectory: dataset, firstStage: { kind: "bm25", indexPath } });
    const second = await runEvaluation({ datasetDirectory: dataset, firstStage: { kind: "bm25", indexPath } });
    assert.equal(first.report.setup.firstStage.kind === "bm25" && first.report.setup.firstStage.index.source, "built");
    assert.equal(second.report.setup.firstStage.kind === "bm25" && second.report.setup.firstStage.index.source, "loaded");
    assert.deepEqual(second.report.firstStage, first.report.firstStage);
  });

  it("rejects a non-positive top-k", async () => {
    await assert.rejects(runEvaluation({ datasetDirectory: dataset, topK: 0 }), /top-k must be a positive integer; got 0/);
  });
});
