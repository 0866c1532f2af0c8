import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { OpenRerankError } from "../../src/errors/catalog.js";
import { MASK_NEGATIVE, OPSET_VERSION } from "../../src/testmodels/bert-onnx-graph.js";
import { makeTestModel } from "../../src/testmodels/make-test-model.js";
import { decodeOnnxModel } from "../../src/testmodels/onnx-codec.js";
import { DataType } from "../../src/testmodels/onnx-model.js";
import { PRESETS, type PresetName } from "../../src/testmodels/presets.js";
import { buildModel, DOCUMENTS, encodePairs, openSession, ortLogits, QUERY, scratchDir, TOKENIZER_DIR } from "./fixtures.js";

const sourceConfig = JSON.parse(readFileSync(path.join(TOKENIZER_DIR, "config.json"), "utf8")) as Record<string, unknown>;
const countOps = (nodes: { opType: string }[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  return counts;
};

for (const preset of Object.keys(PRESETS) as PresetName[]) {
  const shape = PRESETS[preset];
  describe(`make-test-model --preset ${preset}`, () => {
    const dir = buildModel(preset);

    it("writes config.json: the real config with this shape and the test-model marker", () => {
      const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>;
      assert.deepEqual(config, {
        ...sourceConfig,
        hidden_size: shape.hidden,
        num_hidden_layers: shape.layers,
        num_attention_heads: shape.heads,
        intermediate_size: shape.intermediate,
        openrerank_test_model: { preset, seed: 42, note: "random weights: scores carry no meaning", generator_version: 1 },
      });
    });

    it("copies the tokenizer files byte for byte", () => {
      for (const name of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]) {
        assert.deepEqual(readFileSync(path.join(dir, name)), readFileSync(path.join(TOKENIZER_DIR, name)), name);
      }
    });

    it("loads in ONNX Runtime (optimization level all) with the inputs and output of a BERT cross-encoder export", async () => {
      const session = await openSession(path.join(dir, "onnx/model.onnx"));
      const dims = ["batch_size", "sequence_length"];
      assert.deepEqual(session.inputMetadata, [
        { name: "input_ids", isTensor: true, type: "int64", shape: dims },
        { name: "attention_mask", isTensor: true, type: "int64", shape: dims },
        { name: "token_type_ids", isTensor: true, type: "int64", shape: dims },
      ]);
      assert.deepEqual(session.outputMetadata, [{ name: "logits", isTensor: true, type: "float32", shape: ["batch_size", 1] }]);
      const logits = await ortLogits(session, encodePairs(QUERY, DOCUMENTS.slice(0, 3)));
      assert.equal(logits.length, 3);
      assert.ok(logits.every(Number.isFinite));
      await session.release();
    });

    it("has the graph of BertForSequenceClassification at opset 14, which ORT fuses like a real export", async () => {
      const model = decodeOnnxModel(readFileSync(path.join(dir, "onnx/model.onnx")));
      assert.equal(model.opsetVersion, OPSET_VERSION);
      assert.deepEqual(model.inputs.map((input) => input.elemType), [DataType.INT64, DataType.INT64, DataType.INT64]);
      const ops = countOps(model.nodes);
      const layerNorms = 2 * shape.layers + 1;
      assert.equal(ops.get("ReduceMean"), 2 * layerNorms, "decomposed LayerNorm: two ReduceMean each");
      assert.equal(ops.get("Erf"), shape.layers, "exact GELU");
      assert.equal(ops.get("Softmax"), shape.layers);
      assert.equal(ops.get("MatMul"), 8 * shape.layers, "Q, K, V, scores, context, output, FFN in, FFN out");
      assert.equal(ops.get("Gemm"), 2, "pooler and classifier");
      assert.equal(ops.get("Tanh"), 1);
      const mask = model.nodes.find((node) => node.name === "/bert/Mul");
      const maskConstant = model.initializers.find((tensor) => tensor.name === mask?.inputs[1]);
      assert.equal((maskConstant?.data as Float32Array)[0], Math.fround(MASK_NEGATIVE));
      const parameters = model.initializers.filter((tensor) => tensor.dataType === DataType.FLOAT && /^(bert|classifier)\./.test(tensor.name));
      const weights = parameters.reduce((sum, tensor) => sum + tensor.data.length, 0);
      const { hidden: h, intermediate: f, layers } = shape;
      const expected = (30522 + 512 + 2) * h + 2 * h + layers * (4 * (h * h + h) + 2 * h + h * f + f + f * h + h + 2 * h) + h * h + h + h + 1;
      assert.equal(weights, expected, "parameter count of the Hugging Face model");

      const optimizedPath = path.join(scratchDir(), "optimized.onnx");
      const session = await openSession(path.join(dir, "onnx/model.onnx"), { optimizedModelFilePath: optimizedPath });
      await session.release();
      const fused = countOps(decodeOnnxModel(readFileSync(optimizedPath)).nodes);
      assert.equal(fused.get("LayerNormalization"), layerNorms);
      assert.equal(fused.get("BiasGelu"), shape.layers);
      assert.equal(fused.get("ReduceMean"), undefined);
      assert.equal(fused.get("Erf"), undefined);
    });
  });
}

describe("make-test-model options", () => {
  it("applies --layers/--hidden/--heads/--intermediate over the preset", async () => {
    const dir = path.join(scratchDir(), "custom");
    const result = makeTestModel({ preset: "tinybert-l2", overrides: { layers: 1, hidden: 64, heads: 4, intermediate: 96 }, tokenizerFrom: TOKENIZER_DIR, out: dir });
    assert.deepEqual(result.shape, { layers: 1, hidden: 64, heads: 4, intermediate: 96, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, labels: 1 });
    const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual([config.num_hidden_layers, config.hidden_size, config.num_attention_heads, config.intermediate_size], [1, 64, 4, 96]);
    assert.equal(existsSync(path.join(dir, "onnx/model_quantized.onnx")), false);
    const session = await openSession(path.join(dir, "onnx/model.onnx"));
    assert.equal((await ortLogits(session, encodePairs(QUERY, DOCUMENTS.slice(0, 2)))).length, 2);
    await session.release();
  });

  it("--if-missing skips a folder with the same preset, seed and shape, and rebuilds otherwise", () => {
    const dir = path.join(scratchDir(), "tiny");
    const options = { preset: "tinybert-l2", tokenizerFrom: TOKENIZER_DIR, out: dir, int8: true, ifMissing: true };
    assert.equal(makeTestModel(options).skipped, false);
    const written = statSync(path.join(dir, "onnx/model.onnx")).mtimeMs;
    const again = makeTestModel(options);
    assert.equal(again.skipped, true);
    assert.deepEqual(again.files.map((file) => path.relative(dir, file.path)), ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "onnx/model.onnx", "onnx/model_quantized.onnx"]);
    assert.equal(statSync(path.join(dir, "onnx/model.onnx")).mtimeMs, written);
    assert.equal(makeTestModel({ ...options, seed: 7 }).skipped, false, "another seed rebuilds");
    assert.equal(makeTestModel({ ...options, seed: 7, overrides: { layers: 1 } }).skipped, false, "another shape rebuilds");
  });

  it("rejects bad values with invalid_option, naming the flag, the value and what is allowed", () => {
    const out = path.join(scratchDir(), "never");
    const base = { preset: "tinybert-l2", tokenizerFrom: TOKENIZER_DIR, out };
    const rejects = (options: Parameters<typeof makeTestModel>[0], ...fragments: string[]) =>
      assert.throws(() => makeTestModel(options), (error: unknown) => {
        assert.ok(error instanceof OpenRerankError);
        assert.equal(error.code, "invalid_option");
        for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${error.message} should mention ${fragment}`);
        return true;
      });
    rejects({ ...base, preset: "bert-huge" }, "--preset", "bert-huge", "minilm-l6", "tinybert-l2");
    rejects({ ...base, overrides: { heads: 3 } }, "--heads 3", "--hidden 128", "multiple");
    rejects({ ...base, overrides: { layers: 0 } }, "--layers 0", "1 to 65536");
    rejects({ ...base, seed: -1 }, "--seed -1", "0 to 4294967295");
    rejects({ ...base, tokenizerFrom: path.join(out, "nowhere") }, "--tokenizer-from", "tokenizer.json");
    assert.equal(existsSync(out), false);
  });
});

describe("openrerank make-test-model (CLI)", () => {
  const run = promisify(execFile);
  const cli = ["--import", "tsx", path.resolve("src/cli/main.ts"), "make-test-model"];

  it("prints the files written, their sizes and the time taken, then skips with --if-missing", async () => {
    const out = path.join(scratchDir(), "cli");
    const args = [...cli, "--preset", "tinybert-l2", "--tokenizer-from", TOKENIZER_DIR, "--out", out, "--int8", "--if-missing"];
    const first = await run(process.execPath, args);
    assert.match(first.stdout, /^wrote tinybert-l2 \(layers 2, hidden 128, heads 2, intermediate 512, seed 42\) to .* in \d+\.\d\d s$/m);
    assert.match(first.stdout, /^ +\d+\.\d MiB {2}onnx\/model\.onnx$/m);
    assert.match(first.stdout, /^ +\d+\.\d MiB {2}onnx\/model_quantized\.onnx$/m);
    assert.match(first.stdout, /^ +\d+\.\d KiB {2}tokenizer\.json$/m);
    const second = await run(process.execPath, args);
    assert.match(second.stdout, /^skipped tinybert-l2 .*--if-missing/m);
  });

  it("exits 1 with a message naming a flag that is not a number", async () => {
    const args = [...cli, "--preset", "minilm-l6", "--layers", "six", "--tokenizer-from", TOKENIZER_DIR, "--out", path.join(scratchDir(), "x")];
    await assert.rejects(run(process.execPath, args), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr ?? "", /--layers "six" is not a whole number/);
      return true;
    });
  });
});
