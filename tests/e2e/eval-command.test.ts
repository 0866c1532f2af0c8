import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { EvaluationReport } from "../../src/eval/evaluation-report.js";
import { openrerank } from "../support/cli-runner.js";
import { requireTestModel, testModelsDir } from "../support/test-models.js";

const dataset = "tests/eval/fixtures/tiny-beir";
let scratch: string;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "openrerank-eval-cli-"));
});
after(async () => rm(scratch, { recursive: true, force: true }));


describe("openrerank eval", () => {
  it("evaluates BM25 alone, prints the summary table and saves the run", async () => {
    const saved = path.join(scratch, "bm25.trec");
    const { code, stdout, stderr } = await openrerank(["eval", "--dataset", dataset, "--save-run", saved]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /tiny-beir · test · 5 queries · top 100 candidates/);
    assert.match(stdout, /first stage: BM25 \(k1 0\.9, b 0\.4; 10 documents/);
    assert.match(stdout, /^nDCG@10\s+0\.7520$/m);
    assert.match(stdout, /^MRR@10\s+0\.8000$/m);
    assert.match(stdout, /timings: dataset .* index built .* first stage .* total/);
    assert.doesNotMatch(stdout, /reranked/);
    const lines = (await readFile(saved, "utf8")).trim().split("\n");
    assert.match(lines[0], /^q1 Q0 d1 1 \d+(\.\d+)? openrerank-bm25$/);

    // The saved run evaluated as someone else's run gives the same first-stage numbers.
    const fromRun = await openrerank(["eval", "--dataset", dataset, "--run", saved]);
    assert.equal(fromRun.code, 0, fromRun.stderr);
    assert.match(fromRun.stdout, /first stage: run file .*bm25\.trec/);
    assert.match(fromRun.stdout, /^nDCG@10\s+0\.7520$/m);
  });

  it("reranks with a test model and writes JSON, an HTML report and the reranked run", async () => {
    requireTestModel("test/tinybert-l2");
    const json = path.join(scratch, "eval.json");
    const html = path.join(scratch, "eval.html");
    const saved = path.join(scratch, "reranked.trec");
    const { code, stdout, stderr } = await openrerank([
      "eval", "--dataset", dataset, "--top-k", "3", "--rerank", "test/tinybert-l2", "--models-dir", testModelsDir, "--dtype", "int8",
      "--json", json, "--report", html, "--save-run", saved,
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /reranker: +test\/tinybert-l2 \(int8, onnx\/model_quantized\.onnx, .*\) — random-weight test model: scores carry no meaning/);
    assert.match(stdout, /metric\s+first stage\s+reranked\s+Δ/);
    assert.match(stdout, /per query \(nDCG@10\): \d+ wins, \d+ ties, \d+ losses/);
    assert.match(stdout, /same top-1 document: [\d.]+% of queries \(\d\/4\)/);
    assert.match(stdout, /note: test\/tinybert-l2 is a random-weight test model: scores carry no meaning\./);

    const report = JSON.parse(await readFile(json, "utf8")) as EvaluationReport;
    assert.equal(report.dataset, "tiny-beir");
    assert.equal(report.split, "test");
    assert.equal(report.queries, 5);
    for (const values of [report.firstStage, report.reranked!]) {
      assert.deepEqual(Object.keys(values), ["ndcg@10", "mrr@10", "map@100", "recall@10", "recall@100"]);
    }
    assert.equal(report.perQuery.length, 5);
    assert.ok(report.perQuery[0].reranked && typeof report.perQuery[0].deltaNdcg10 === "number");
    assert.ok(report.timings.rerankMs! > 0 && report.timings.modelLoadMs! > 0 && report.timings.rerankPerQuery!.p50 > 0);
    assert.equal(report.setup.reranker!.randomWeightTestModel, true);
    assert.equal(report.firstStage["recall@100"], report.reranked!["recall@100"], "reranking the same candidates cannot change recall at top-k");

    assert.match(await readFile(html, "utf8"), /<figure data-chart="ndcg-delta">/);
    const runLines = (await readFile(saved, "utf8")).trim().split("\n");
    assert.ok(runLines.every((line) => /^q\d Q0 d\d+ [1-3] -?\d.* openrerank-reranked$/.test(line)), runLines.join("\n"));
  });

  it("fails with clear messages on bad input", async () => {
    const missing = await openrerank(["eval", "--dataset", path.join(scratch, "nope")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /is not a BEIR dataset directory: it has no qrels\/ folder/);

    const split = await openrerank(["eval", "--dataset", dataset, "--split", "dev"]);
    assert.match(split.stderr, /Split "dev" not found.*Available splits: test\./);

    const both = await openrerank(["eval", "--dataset", dataset, "--run", "x.trec", "--first-stage", "bm25"]);
    assert.match(both.stderr, /--run and --first-stage both choose the candidates; pass one of them\./);

    const topK = await openrerank(["eval", "--dataset", dataset, "--top-k", "0"]);
    assert.notEqual(topK.code, 0);
    assert.match(topK.stderr, /"0" is not a positive integer/);

    const b = await openrerank(["eval", "--dataset", dataset, "--b", "1.5"]);
    assert.match(b.stderr, /BM25 b must be a number in \[0, 1\]; got 1\.5/);
  });
});
