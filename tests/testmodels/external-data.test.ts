import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildBertGraph } from "../../src/testmodels/bert-onnx-graph.js";
import { generateBertWeights } from "../../src/testmodels/bert-weights.js";
import { decodeOnnxModel, encodeOnnxModel, encodeOnnxModelWithExternalData } from "../../src/testmodels/onnx-codec.js";
import { resolveShape } from "../../src/testmodels/presets.js";
import { weightStdFor } from "../../src/testmodels/weight-std.js";

describe("ONNX external data (model.onnx + model.onnx_data)", () => {
  const shape = resolveShape("tinybert-l2", { layers: 1 });
  const model = buildBertGraph(shape, generateBertWeights(shape, 7, weightStdFor(shape)), {});

  it("moves every initializer of 1 KiB or more to the data file and reads them back unchanged", () => {
    const { model: graphBytes, data } = encodeOnnxModelWithExternalData(model, "model.onnx_data");
    const inlineBytes = encodeOnnxModel(model);
    const large = model.initializers.filter((tensor) => tensor.data.byteLength >= 1024);
    const weightBytes = large.reduce((sum, tensor) => sum + tensor.data.byteLength, 0);
    assert.ok(large.length > 0 && large.length < model.initializers.length, "small constants (shapes, axes) must stay inline");
    assert.equal(data.byteLength, weightBytes);
    assert.ok(graphBytes.byteLength < weightBytes / 100, `weights left in the graph file (${graphBytes.byteLength} bytes)`);

    const locations: string[] = [];
    const decoded = decodeOnnxModel(graphBytes, (location) => {
      locations.push(location);
      return data;
    });
    assert.equal(locations.length, large.length);
    assert.ok(locations.every((location) => location === "model.onnx_data"));
    assert.deepEqual(decoded.initializers, decodeOnnxModel(inlineBytes).initializers);
  });

  it("refuses to decode external tensors without a reader, and a data file that is too short", () => {
    const { model: graphBytes, data } = encodeOnnxModelWithExternalData(model, "model.onnx_data");
    assert.throws(() => decodeOnnxModel(graphBytes), /lives in model\.onnx_data: pass a reader/);
    assert.throws(() => decodeOnnxModel(graphBytes, () => data.subarray(0, data.byteLength - 1)), /model\.onnx_data ends before byte/);
  });
});
