import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { openrerank } from "../support/cli-runner.js";
import { requireTestModel, testModelsDir } from "../support/test-models.js";
import { minilmTokenizerDir } from "../support/shared-paths.js";



describe("openrerank CLI", () => {
  it("lists its commands in --help", async () => {
    const { code, stdout } = await openrerank(["--help"]);
    assert.equal(code, 0);
    for (const command of ["rerank", "make-test-model"]) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  it("reranks the example JSONL and prints Cohere v2-shaped JSON", async () => {
    requireTestModel("test/minilm-l6");
    const { code, stdout, stderr } = await openrerank(["rerank", "--model", "test/minilm-l6", "--models-dir", testModelsDir, "--query", "How many people live in Berlin?", "--documents", "examples/documents.jsonl", "--top-n", "3", "--json"]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /loaded test\/minilm-l6 from .*onnx\/model\.onnx/);
    assert.match(stderr, /random-weight test model/);
    const body = JSON.parse(stdout) as { results: { index: number; relevance_score: number; score: number }[] };
    assert.equal(body.results.length, 3);
    assert.ok(body.results.every((r) => Number.isInteger(r.index) && r.index < 4 && r.relevance_score > 0 && r.relevance_score < 1));
    assert.ok(body.results[0].relevance_score >= body.results[1].relevance_score);
  });

  it("reads plain text from stdin and prints a table", async () => {
    requireTestModel("test/tinybert-l2");
    const { code, stdout, stderr } = await openrerank(["rerank", "--model", "test/tinybert-l2", "--models-dir", testModelsDir, "--query", "berlin"], "first line\nsecond line\n\nthird line\n");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /relevance/);
    assert.equal((stdout.match(/ line/g) ?? []).length, 3);
  });

  it("fails with a clear message on bad input", async () => {
    const bad = path.join(mkdtempSync(path.join(os.tmpdir(), "openrerank-cli-")), "bad.jsonl");
    writeFileSync(bad, "\"ok\"\n{not json}\n");
    const badFile = await openrerank(["rerank", "--model", "test/minilm-l6", "--models-dir", testModelsDir, "--query", "q", "--documents", bad]);
    assert.equal(badFile.code, 1);
    assert.match(badFile.stderr, /bad\.jsonl line 2 is not valid JSON/);

    const missingModel = await openrerank(["rerank", "--model", "nobody/nothing", "--models-dir", testModelsDir, "--query", "q", "--documents", "examples/documents.jsonl"]);
    assert.equal(missingModel.code, 1);
    assert.match(missingModel.stderr, /model nobody\/nothing \(dtype fp32\) was not found: offline mode is on/);

    const badTopN = await openrerank(["rerank", "--model", "test/minilm-l6", "--query", "q", "--top-n", "0"]);
    assert.notEqual(badTopN.code, 0);
    assert.match(badTopN.stderr, /--top-n.*"0" is not a positive integer/);

    const badLabels = await openrerank(["make-test-model", "--preset", "tinybert-l2", "--labels", "3", "--tokenizer-from", minilmTokenizerDir, "--out", path.join(os.tmpdir(), "never-written")]);
    assert.equal(badLabels.code, 1);
    assert.match(badLabels.stderr, /--labels 3 is not allowed; a reranker head has 1 label/);

    const badDtype = await openrerank(["rerank", "--model", "test/minilm-l6", "--query", "q", "--dtype", "int4"]);
    assert.notEqual(badDtype.code, 0);
    assert.match(badDtype.stderr, /int4.*fp32, int8, fp16, q4/s);
  });
});
