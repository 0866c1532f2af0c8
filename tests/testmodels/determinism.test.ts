import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { makeTestModel } from "../../src/testmodels/make-test-model.js";
import type { PresetName } from "../../src/testmodels/presets.js";
import { scratchDir, TOKENIZER_DIR } from "./fixtures.js";

const build = (preset: PresetName, seed?: number): string => {
  const out = path.join(scratchDir(), preset);
  makeTestModel({ preset, tokenizerFrom: TOKENIZER_DIR, out, seed, int8: true });
  return out;
};
const read = (dir: string, file: string): Buffer => readFileSync(path.join(dir, "onnx", file));

describe("make-test-model is deterministic", () => {
  for (const preset of ["tinybert-l2", "minilm-l6"] as const) {
    it(`${preset}: the same seed gives byte-identical files, another seed different weights`, () => {
      const first = build(preset);
      const second = build(preset, 42);
      const other = build(preset, 43);
      assert.ok(read(first, "model.onnx").equals(read(second, "model.onnx")), "model.onnx differs between two builds with seed 42");
      assert.ok(read(first, "model_quantized.onnx").equals(read(second, "model_quantized.onnx")), "model_quantized.onnx differs between two builds with seed 42");
      assert.ok(readFileSync(path.join(first, "config.json")).equals(readFileSync(path.join(second, "config.json"))));
      assert.ok(!read(first, "model.onnx").equals(read(other, "model.onnx")), "seed 43 wrote the same model.onnx as seed 42");
      assert.equal(read(first, "model.onnx").length, read(other, "model.onnx").length, "only the weights change with the seed");
    });
  }
});
