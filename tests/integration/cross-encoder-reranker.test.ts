import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import * as ort from "onnxruntime-node";
import { AutoModelForSequenceClassification, AutoTokenizer, env as transformersEnv } from "@huggingface/transformers";
import { loadReranker, OpenRerankError, type Reranker, type RerankResponse } from "../../src/index.js";
import { makeTestModel } from "../../src/testmodels/make-test-model.js";
import { referenceLogits } from "../support/reference-bert.js";
import { startHubLikeServer } from "../support/hub-like-server.js";
import { requireTestModel, scifactTexts, testModelsDir } from "../support/test-models.js";
import { minilmTokenizerDir } from "../support/shared-paths.js";

// transformers.js reads the same test-model files, never the network.
transformersEnv.localModelPath = `${testModelsDir}/`;
transformersEnv.allowRemoteModels = false;
transformersEnv.allowLocalModels = true;

// Random-weight test models: these tests prove mechanics and numerical parity, never quality.
const query = "What causes inflammation of the airways?";
const texts = scifactTexts(120);
/** 100 documents of very different lengths (a few words to past the 512-token window, i.e. two windows). */
const mixedDocuments = texts.slice(0, 100).map((text, i) => (i % 4 === 0 ? text.split(" ").slice(0, 3 + (i % 7)).join(" ") : i % 4 === 1 ? text.slice(0, 200) : i % 4 === 2 ? text : `${text} ${texts[i + 1]} ${texts[i + 2]}`.slice(0, 3000)));

/** Cheaper documents for tests that score many sets: 40 texts of 20–400 characters. */
const shortDocuments = texts.slice(0, 40).map((text, i) => text.slice(0, 20 + ((i * 37) % 380)));

const isError = (code: string) => (error: unknown) => error instanceof OpenRerankError && error.code === code;

describe("CrossEncoderReranker on the minilm-l6 test model", () => {
  let reranker: Reranker;
  before(async () => {
    requireTestModel("test/minilm-l6");
    reranker = await loadReranker({ model: "test/minilm-l6", modelsDir: testModelsDir, offline: true });
  });
  after(() => reranker.dispose());

  it("says what it loaded", () => {
    assert.equal(reranker.info.backend, "cross-encoder-onnx");
    assert.equal(reranker.info.details.weightsFile, "onnx/model.onnx");
    assert.equal(reranker.info.contextLength, 512);
    assert.equal(reranker.info.precision, "fp32");
    assert.equal(reranker.info.details.tokenizer, "bert-wordpiece-fast");
    assert.equal(reranker.info.isTestModel, true);
    assert.ok(reranker.info.loadMs > 0);
  });

  it("scores a document the same alone and inside a batch of 100 mixed-length documents (1e-4)", async () => {
    const together = await reranker.rerank(query, mixedDocuments);
    const byIndex = new Map(together.results.map((result) => [result.index, result.score]));
    for (let index = 0; index < mixedDocuments.length; index++) {
      const alone = await reranker.rerank(query, [mixedDocuments[index]]);
      const difference = Math.abs(alone.results[0].score - (byIndex.get(index) as number));
      assert.ok(difference < 1e-4, `document ${index}: alone ${alone.results[0].score}, batched ${byIndex.get(index)}`);
    }
  });

  it("ranks most relevant first with calibrated scores, and topN is a prefix of the full ranking", async () => {
    const full = await reranker.rerank(query, shortDocuments);
    assert.equal(full.results.length, 40);
    assert.deepEqual(new Set(full.results.map((r) => r.index)).size, 40);
    for (let i = 1; i < full.results.length; i++) assert.ok(full.results[i - 1].score >= full.results[i].score);
    for (const result of full.results) {
      assert.ok(result.relevanceScore > 0 && result.relevanceScore < 1);
      assert.ok(Math.abs(result.relevanceScore - 1 / (1 + Math.exp(-result.score))) < 1e-12);
    }
    const top = await reranker.rerank(query, shortDocuments, { topN: 5 });
    assert.deepEqual(top.results, full.results.slice(0, 5));
  });

  it("keeps the lower index first when documents score the same", async () => {
    const { results } = await reranker.rerank(query, ["same text", "other text", "same text"]);
    const same = results.filter((r) => r.index !== 1).map((r) => r.index);
    assert.deepEqual(same, [0, 2]);
  });

  it("reports usage, search units and warnings", async () => {
    const short = await reranker.rerank(query, ["short one", "another short one"]);
    assert.equal(short.usage.pairs, 2);
    assert.equal(short.usage.searchUnits, 1);
    assert.deepEqual(short.warnings, []);
    const longQuery = await reranker.rerank("inflammation ".repeat(400), ["a document"]);
    assert.ok(longQuery.warnings.some((warning) => warning.code === "query_truncated" && /400 tokens/.test(warning.message)));
    const manyTop = await reranker.rerank(query, ["a", "b"], { topN: 5 });
    assert.ok(manyTop.warnings.some((warning) => warning.code === "top_n_exceeds_documents"));
  });

  it("rejects bad input with Cohere's wording", async () => {
    await assert.rejects(reranker.rerank("   ", ["a"]), isError("empty_query"));
    await assert.rejects(reranker.rerank(query, []), (error: unknown) => isError("empty_documents")(error) && (error as Error).message === "list of documents must not be empty");
    await assert.rejects(reranker.rerank(query, ["a", "b", "c", " "]), (error: unknown) => (error as Error).message === "document at index 3 cannot be empty");
    await assert.rejects(reranker.rerank(query, ["a", 5 as unknown as string]), isError("invalid_document"));
    await assert.rejects(reranker.rerank(query, ["a"], { topN: 0 }), isError("invalid_top_n"));
  });

  it("gives concurrent calls the same scores as sequential ones", async () => {
    const sets = [shortDocuments.slice(0, 20), shortDocuments.slice(20, 25), shortDocuments.slice(25, 40)];
    const sequential: RerankResponse[] = [];
    for (const documents of sets) sequential.push(await reranker.rerank(query, documents));
    const concurrent = await Promise.all(sets.map((documents) => reranker.rerank(query, documents)));
    concurrent.forEach((response, i) => {
      assert.deepEqual(response.results.map((r) => r.index), sequential[i].results.map((r) => r.index));
      response.results.forEach((result, j) => assert.ok(Math.abs(result.score - sequential[i].results[j].score) < 1e-4));
    });
  });

  it("cancels on an aborted signal", async () => {
    await assert.rejects(reranker.rerank(query, mixedDocuments, { signal: AbortSignal.abort() }), isError("request_cancelled"));
  });

  it("equals transformers.js's AutoModelForSequenceClassification on the same files (1e-4)", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained("test/minilm-l6");
    const model = await AutoModelForSequenceClassification.from_pretrained("test/minilm-l6", { dtype: "fp32" });
    // Documents that fit the window: when a pair must be truncated, transformers.js 4.3 cuts the
    // finished sequence and drops its final [SEP], while Python's tokenizers (and we) cut the
    // document and keep [SEP] — see the truncation test in pair-encoding.test.ts.
    const documents = mixedDocuments.filter((_, i) => i % 4 !== 3).slice(0, 12);
    const inputs = tokenizer(Array(documents.length).fill(query), { text_pair: documents, padding: true, truncation: true });
    const { logits } = (await model(inputs)) as { logits: { data: Float32Array } };
    const ours = await reranker.rerank(query, documents);
    for (const result of ours.results) {
      assert.ok(Math.abs(result.score - logits.data[result.index]) < 1e-4, `document ${result.index}: ours ${result.score}, transformers.js ${logits.data[result.index]}`);
    }
    await model.dispose();
  });

  it("equals a float64 forward pass written from the BERT equations (1e-4)", async () => {
    const documents = mixedDocuments.slice(0, 5).map((text) => text.slice(0, 300));
    const tokenizer = await AutoTokenizer.from_pretrained("test/minilm-l6");
    const pairs = documents.map((document) => {
      const encoded = tokenizer(query, { text_pair: document }) as { input_ids: { data: BigInt64Array }; token_type_ids: { data: BigInt64Array } };
      return { inputIds: Array.from(encoded.input_ids.data, Number), tokenTypeIds: Array.from(encoded.token_type_ids.data, Number) };
    });
    const expected = await referenceLogits(path.join(testModelsDir, "test/minilm-l6"), pairs);
    const ours = await reranker.rerank(query, documents);
    for (const result of ours.results) {
      assert.ok(Math.abs(result.score - expected[result.index]) < 1e-4, `document ${result.index}: ours ${result.score}, float64 ${expected[result.index]}`);
    }
  });
});

describe("loading variants", () => {
  it("loads the int8 file with --dtype int8 and ranks close to fp32", async () => {
    const int8 = await loadReranker({ model: "test/minilm-l6", modelsDir: testModelsDir, dtype: "int8", offline: true });
    try {
      assert.equal(int8.info.details.weightsFile, "onnx/model_quantized.onnx");
      const { results } = await int8.rerank(query, mixedDocuments.slice(0, 10));
      assert.equal(results.length, 10);
    } finally {
      await int8.dispose();
    }
  });

  it("loads tinybert-l2 from an explicit directory", async () => {
    const directory = requireTestModel("test/tinybert-l2");
    const tiny = await loadReranker({ model: directory, offline: true });
    try {
      assert.equal(tiny.info.details.directory, directory);
      const { results } = await tiny.rerank(query, mixedDocuments.slice(0, 50));
      assert.equal(results.length, 50);
    } finally {
      await tiny.dispose();
    }
  });

  it("downloads a whole model from a hub-like server and serves it", async () => {
    requireTestModel("test/tinybert-l2");
    const hub = await startHubLikeServer(testModelsDir);
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), "openrerank-hub-cache-"));
    try {
      const downloaded = await loadReranker({ model: "test/tinybert-l2", cacheDir, hub: { endpoint: hub.endpoint }, offline: false });
      assert.equal(downloaded.info.details.directory, path.join(cacheDir, "test/tinybert-l2"));
      const local = await loadReranker({ model: "test/tinybert-l2", modelsDir: testModelsDir, offline: true });
      const [a, b] = await Promise.all([downloaded.rerank(query, texts.slice(0, 5)), local.rerank(query, texts.slice(0, 5))]);
      assert.deepEqual(a.results, b.results);
      await Promise.all([downloaded.dispose(), local.dispose()]);
    } finally {
      await hub.close();
    }
  });

  it("loads an export whose weights live in onnx/model.onnx_data, from a directory and from the hub", async () => {
    requireTestModel("test/tinybert-l2");
    // Same preset and seed as test/tinybert-l2, so the weights, and the scores, must be identical.
    const hubRoot = mkdtempSync(path.join(os.tmpdir(), "openrerank-external-hub-"));
    const directory = path.join(hubRoot, "big/tinybert-external");
    makeTestModel({ preset: "tinybert-l2", tokenizerFrom: minilmTokenizerDir, out: directory, externalData: true });
    assert.ok(statSync(path.join(directory, "onnx/model.onnx")).size < 100_000, "the graph file should hold no weights");
    assert.ok(statSync(path.join(directory, "onnx/model.onnx_data")).size > 10_000_000);

    const cacheDir = mkdtempSync(path.join(os.tmpdir(), "openrerank-external-cache-"));
    const hub = await startHubLikeServer(hubRoot);
    const loaded: Reranker[] = [];
    try {
      const load = async (options: Parameters<typeof loadReranker>[0]) => {
        const reranker = await loadReranker(options);
        loaded.push(reranker);
        return reranker;
      };
      const inline = await load({ model: "test/tinybert-l2", modelsDir: testModelsDir, offline: true });
      const fromDirectory = await load({ model: directory, offline: true });
      const downloaded = await load({ model: "big/tinybert-external", cacheDir, hub: { endpoint: hub.endpoint }, offline: false });
      const cached = path.join(cacheDir, "big/tinybert-external/onnx");
      assert.deepEqual(readdirSync(cached).sort(), ["model.onnx", "model.onnx_data"], "no staged file left behind");
      const documents = texts.slice(0, 6);
      const [expected, a, b] = await Promise.all([inline.rerank(query, documents), fromDirectory.rerank(query, documents), downloaded.rerank(query, documents)]);
      assert.deepEqual(a.results, expected.results);
      assert.deepEqual(b.results, expected.results);
    } finally {
      await Promise.all([...loaded.map((reranker) => reranker.dispose()), hub.close()]);
    }
  });

  it("ranks a two-label model by its positive class and calibrates with the softmax", async () => {
    const directory = path.join(mkdtempSync(path.join(os.tmpdir(), "openrerank-two-label-")), "model");
    makeTestModel({ preset: "tinybert-l2", overrides: { labels: 2 }, tokenizerFrom: minilmTokenizerDir, out: directory });
    const twoLabel = await loadReranker({ model: directory, offline: true });
    const documents = shortDocuments.slice(0, 8);
    try {
      assert.deepEqual(twoLabel.info.details.scoreHead, { labels: 2, positiveIndex: 1, activation: "softmax" });
      const { results } = await twoLabel.rerank(query, documents);
      // The same pairs straight through ONNX Runtime, one at a time, tokenized by transformers.js.
      const tokenizer = await AutoTokenizer.from_pretrained("test/tinybert-l2");
      const session = await ort.InferenceSession.create(path.join(directory, "onnx/model.onnx"));
      for (const result of results) {
        const encoded = tokenizer(query, { text_pair: documents[result.index] }) as Record<string, { data: BigInt64Array; dims: number[] }>;
        const feeds = Object.fromEntries(["input_ids", "attention_mask", "token_type_ids"].map((name) => [name, new ort.Tensor("int64", encoded[name].data, encoded[name].dims)]));
        const [negative, positive] = (await session.run(feeds)).logits.data as Float32Array;
        assert.ok(Math.abs(result.score - positive) < 1e-4);
        assert.ok(Math.abs(result.relevanceScore - Math.exp(positive) / (Math.exp(positive) + Math.exp(negative))) < 1e-5);
      }
      for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].relevanceScore >= results[i].relevanceScore);
      await session.release();
    } finally {
      await twoLabel.dispose();
    }
  });

  it("fails offline with a message naming the model and the places searched", async () => {
    await assert.rejects(loadReranker({ model: "Xenova/ms-marco-MiniLM-L-6-v2", modelsDir: testModelsDir, cacheDir: mkdtempSync(path.join(os.tmpdir(), "openrerank-empty-")), offline: true }), (error: unknown) => isError("model_not_found")(error) && (error as Error).message.includes(path.join(testModelsDir, "Xenova/ms-marco-MiniLM-L-6-v2")));
  });
});
