import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { readScoreHead, scoreRow } from "./score-head.js";
import { OpenRerankError } from "../../errors/catalog.js";
import { sigmoid } from "../../reranker/calibration.js";
import { minilmTokenizerDir } from "../../../tests/support/shared-paths.js";

describe("score head", () => {
  it("reads the real ms-marco-MiniLM-L-6-v2 config as a single raw logit", () => {
    const config = JSON.parse(readFileSync(path.join(minilmTokenizerDir, "config.json"), "utf8")) as Record<string, unknown>;
    const head = readScoreHead(config);
    assert.deepEqual(head, { labels: 1, positiveIndex: 0, activation: "identity" });
    // Never a softmax over one logit: the raw logit is the score and the ranking key.
    assert.deepEqual(scoreRow(head, Float32Array.of(8.5, -4.25), 1), { score: -4.25, logOdds: -4.25 });
  });

  it("reads sentence-transformers' activation_fn and the older sbert key", () => {
    assert.equal(readScoreHead({ num_labels: 1, sentence_transformers: { activation_fn: "torch.nn.modules.activation.Sigmoid" } }).activation, "sigmoid");
    assert.equal(readScoreHead({ id2label: { 0: "LABEL_0" }, sbert_ce_default_activation_function: "torch.nn.modules.activation.Sigmoid" }).activation, "sigmoid");
  });

  it("uses the positive label of a two-label head, by name or by position", () => {
    const byPosition = readScoreHead({ id2label: { 0: "LABEL_0", 1: "LABEL_1" } });
    assert.equal(byPosition.positiveIndex, 1);
    const byName = readScoreHead({ id2label: { 0: "relevant", 1: "irrelevant" } });
    assert.equal(byName.positiveIndex, 0);
    // Row 1 of a [2, 2] logits matrix: positive logit 2.0, negative 0.5.
    const { score, logOdds } = scoreRow(byPosition, Float32Array.of(0, 0, 0.5, 2), 1);
    assert.equal(score, 2);
    const softmaxPositive = Math.exp(2) / (Math.exp(2) + Math.exp(0.5));
    assert.ok(Math.abs(sigmoid(logOdds) - softmaxPositive) < 1e-12);
    assert.equal(scoreRow(byName, Float32Array.of(3, 1), 0).logOdds, 2);
  });

  it("rejects heads that are not rerankers", () => {
    assert.throws(() => readScoreHead({ num_labels: 3 }), (error: unknown) => error instanceof OpenRerankError && error.code === "model_load_failed" && /3 labels/.test(error.message));
  });
});
