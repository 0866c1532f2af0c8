import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { beirDocumentText, loadBeirDataset } from "../../src/eval/beir-dataset.js";
import { evaluateRun } from "../../src/eval/evaluate-run.js";
import { loadBm25Index, saveBm25Index } from "../../src/retrieval/bm25/bm25-index-file.js";
import { Bm25Index } from "../../src/retrieval/bm25/bm25-index.js";
import { scifactDir } from "../support/shared-paths.js";

// Pyserini's published BM25 "flat" result on BEIR SciFact test (k1 = 0.9, b = 0.4; title and
// text in one field), recorded in shared/datasets/PROVENANCE.md.
const published = { "ndcg@10": 0.6789, "recall@100": 0.9253 };
const tolerance = 0.005;

const datasetDirectory = scifactDir;

describe("BM25 on SciFact reproduces Pyserini", () => {
  it("nDCG@10 and Recall@100 within ±0.005 of the published numbers, retrieval in seconds", async (t) => {
    // Never skip: a missing dataset must fail the run, not hide the check.
    assert.ok(existsSync(datasetDirectory), `SciFact not found at ${datasetDirectory}; shared/ must sit beside the repository.`);
    const dataset = await loadBeirDataset(datasetDirectory, "test");
    assert.equal(dataset.corpus.length, 5183);
    assert.equal(dataset.queries.length, 300);

    let started = performance.now();
    const index = Bm25Index.build(dataset.corpus.map((document) => ({ id: document.id, text: beirDocumentText(document) })));
    const buildMs = performance.now() - started;

    started = performance.now();
    const run = new Map(dataset.queries.map((query) => [query.id, index.search(query.text, 1000)]));
    const searchMs = performance.now() - started;

    const { mean } = evaluateRun(run, dataset.qrels, ["ndcg@10", "recall@100", "mrr@10", "map@100"]);
    t.diagnostic(
      `nDCG@10 ${mean["ndcg@10"].toFixed(4)}, Recall@100 ${mean["recall@100"].toFixed(4)}, MRR@10 ${mean["mrr@10"].toFixed(4)}, ` +
        `MAP@100 ${mean["map@100"].toFixed(4)}; build ${buildMs.toFixed(0)} ms, 300 queries ${searchMs.toFixed(0)} ms`,
    );
    assert.ok(Math.abs(mean["ndcg@10"] - published["ndcg@10"]) <= tolerance, `nDCG@10 ${mean["ndcg@10"]} vs ${published["ndcg@10"]}`);
    assert.ok(Math.abs(mean["recall@100"] - published["recall@100"]) <= tolerance, `Recall@100 ${mean["recall@100"]} vs ${published["recall@100"]}`);
    assert.ok(searchMs < 5000, `300 queries took ${searchMs.toFixed(0)} ms; expected a few seconds at most`);

    // The saved index must search exactly like the one in memory.
    const directory = await mkdtemp(join(tmpdir(), "openrerank-scifact-"));
    try {
      const path = join(directory, "scifact.orbm25");
      await saveBm25Index(path, index.data, { corpusSha256: dataset.corpusSha256 });
      const { data, metadata } = await loadBm25Index(path);
      assert.equal(metadata.corpusSha256, dataset.corpusSha256);
      const reloaded = Bm25Index.fromData(data);
      for (const query of dataset.queries.slice(0, 20)) assert.deepEqual(reloaded.search(query.text, 100), run.get(query.id)!.slice(0, 100));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
