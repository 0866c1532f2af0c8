import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { decodeOnnxModel } from "../../src/testmodels/onnx-codec.js";
import { DataType } from "../../src/testmodels/onnx-model.js";
import { PRESETS } from "../../src/testmodels/presets.js";
import { buildModel, DOCUMENTS, encodePairs, maxAbsDifference, openSession, ortLogits, QUERY, standardDeviation } from "./fixtures.js";

function pearson(a: readonly number[], b: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  const covariance = a.reduce((s, x, i) => s + (x - ma) * (b[i] - mb), 0) / a.length;
  return covariance / (standardDeviation(a) * standardDeviation(b));
}

for (const preset of ["tinybert-l2", "minilm-l6"] as const) {
  describe(`${preset}: onnx/model_quantized.onnx (dynamic int8)`, () => {
    const dir = buildModel(preset);
    const { layers } = PRESETS[preset];

    it("has quantize_dynamic's form: DynamicQuantizeLinear → MatMulInteger (int8 weights) → Cast → Mul, for every weight MatMul", () => {
      const model = decodeOnnxModel(readFileSync(path.join(dir, "onnx/model_quantized.onnx")));
      const tensors = new Map(model.initializers.map((tensor) => [tensor.name, tensor]));
      const byType = (opType: string) => model.nodes.filter((node) => node.opType === opType);
      assert.equal(byType("MatMulInteger").length, 6 * layers, "Q, K, V, attention output, FFN in, FFN out");
      assert.equal(byType("DynamicQuantizeLinear").length, 4 * layers, "Q/K/V share one");
      for (const node of byType("MatMulInteger")) {
        const weight = tensors.get(node.inputs[1]);
        assert.equal(weight?.dataType, DataType.INT8, node.name);
        assert.equal(weight?.dims.length, 2);
        assert.deepEqual(Array.from(tensors.get(node.inputs[3])?.data as Int8Array), [0], "symmetric weights");
        const cast = model.nodes.find((n) => n.inputs[0] === node.outputs[0]);
        assert.equal(cast?.opType, "Cast");
        assert.equal(model.nodes.find((n) => n.inputs[0] === cast?.outputs[0])?.opType, "Mul");
      }
      // What stays float: attention's two activation×activation MatMuls per layer, pooler and classifier Gemms.
      const floatMatMuls = byType("MatMul");
      assert.equal(floatMatMuls.length, 2 * layers);
      assert.ok(floatMatMuls.every((node) => !tensors.has(node.inputs[1])), "a MatMul with a constant weight was left in float");
      assert.equal(byType("Gemm").length, 2);
      assert.equal(byType("DequantizeLinear").length, 3, "word, position and token-type tables are uint8");
    });

    it("runs in ONNX Runtime with logits close to fp32", async () => {
      const fp32 = await openSession(path.join(dir, "onnx/model.onnx"));
      const int8 = await openSession(path.join(dir, "onnx/model_quantized.onnx"));
      for (const query of [QUERY, "What is the boiling point of water?"]) {
        const pairs = encodePairs(query, DOCUMENTS);
        const [a, b] = [await ortLogits(fp32, pairs), await ortLogits(int8, pairs)];
        const difference = maxAbsDifference(a, b);
        // Per-tensor int8 over random weights: measured ≤ 0.53 across seeds, against a spread (std) of ≥ 0.6.
        assert.ok(difference < 1, `max |int8 - fp32| = ${difference}`);
        assert.ok(pearson(a, b) > 0.85, `int8 and fp32 logits correlate only ${pearson(a, b)}`);
      }
      await Promise.all([fp32.release(), int8.release()]);
    });
  });
}
