import { attr, DataType, type OnnxModel, type OnnxNode, type Tensor } from "./onnx-model.js";

/**
 * Rewrites an fp32 model the way onnxruntime.quantization.quantize_dynamic does with its
 * defaults (weight_type QInt8, per-tensor, MatMulConstBOnly), which is what int8 ONNX exports
 * ship (e.g. Xenova's model_quantized.onnx), with the same node and tensor names:
 * - MatMul with a constant B: DynamicQuantizeLinear(A) → MatMulInteger(A_q, B_q, A_zp, B_zp)
 *   → Cast(float) → Mul by A_scale·B_scale; the bias Add that follows is untouched. B is int8,
 *   symmetric (zero point 0, scale max|B|/127). One DynamicQuantizeLinear serves every MatMul
 *   that reads the same activation (Q, K and V share one).
 * - Gather from a constant table (the embeddings): the table becomes uint8, asymmetric, as
 *   quantize_dynamic quantizes it (with the activation type), and a DequantizeLinear follows.
 * - Everything else stays fp32: attention's activation×activation MatMuls, and Gemm (pooler,
 *   classifier), which quantize_dynamic does not quantize.
 */
export function quantizeDynamic(model: OnnxModel): OnnxModel {
  const initializers = new Map(model.initializers.map((t) => [t.name, t]));
  const floatConstant = (name: string): Tensor | undefined => {
    const tensor = initializers.get(name);
    return tensor?.dataType === DataType.FLOAT && tensor.dims.length === 2 ? tensor : undefined;
  };
  const added: Tensor[] = [];
  const quantizedWeights = new Map<string, QuantizedNames>();
  const quantizeWeight = (tensor: Tensor, type: "int8" | "uint8"): QuantizedNames => {
    let names = quantizedWeights.get(tensor.name);
    if (!names) {
      const q = type === "int8" ? quantizeSymmetricInt8(tensor) : quantizeAsymmetricUint8(tensor);
      added.push(...q.tensors);
      names = q.names;
      quantizedWeights.set(tensor.name, names);
    }
    return names;
  };
  const quantizedActivations = new Map<string, QuantizedNames>();
  const nodes: OnnxNode[] = [];

  for (const node of model.nodes) {
    const [a, b] = node.inputs;
    const matmulWeight = node.opType === "MatMul" ? floatConstant(b) : undefined;
    const gatherTable = node.opType === "Gather" ? floatConstant(a) : undefined;
    if (matmulWeight) {
      let act = quantizedActivations.get(a);
      if (!act) {
        act = { quantized: `${a}_quantized`, scale: `${a}_scale`, zeroPoint: `${a}_zero_point` };
        nodes.push({ opType: "DynamicQuantizeLinear", name: `${a}_QuantizeLinear`, inputs: [a], outputs: [act.quantized, act.scale, act.zeroPoint], attributes: {} });
        quantizedActivations.set(a, act);
      }
      const weight = quantizeWeight(matmulWeight, "int8");
      const out = node.outputs[0];
      const integerOut = `${out}_quantized`;
      const castOut = `${integerOut}_cast_output`;
      const scalesOut = `${node.name}_scales_mul:0`;
      nodes.push(
        { opType: "MatMulInteger", name: `${node.name}_quant`, inputs: [act.quantized, weight.quantized, act.zeroPoint, weight.zeroPoint], outputs: [integerOut], attributes: {} },
        { opType: "Cast", name: `${integerOut}_cast`, inputs: [integerOut], outputs: [castOut], attributes: { to: attr.int(DataType.FLOAT) } },
        { opType: "Mul", name: `${node.name}_scales_mul`, inputs: [act.scale, weight.scale], outputs: [scalesOut], attributes: {} },
        { opType: "Mul", name: `${node.name}_output_scale_mul`, inputs: [castOut, scalesOut], outputs: [out], attributes: {} },
      );
    } else if (gatherTable) {
      const table = quantizeWeight(gatherTable, "uint8");
      const out = node.outputs[0];
      nodes.push(
        { ...node, inputs: [table.quantized, b], outputs: [`${out}_quantized`] },
        { opType: "DequantizeLinear", name: `${out}_DequantizeLinear`, inputs: [`${out}_quantized`, table.scale, table.zeroPoint], outputs: [out], attributes: {} },
      );
    } else {
      nodes.push(node);
    }
  }

  // Keep the fp32 tensors still read (biases, LayerNorm, Gemm weights, constants), then the new ones.
  const read = new Set(nodes.flatMap((n) => n.inputs));
  return {
    ...model,
    producerName: "onnx.quantize",
    nodes,
    initializers: [...model.initializers.filter((t) => read.has(t.name)), ...added],
  };
}

interface QuantizedNames {
  quantized: string;
  scale: string;
  zeroPoint: string;
}

interface QuantizedTensor {
  names: QuantizedNames;
  tensors: Tensor[];
}

/** int8 in [-127, 127], zero point 0, scale = max|w| / 127 (quantize_dynamic's symmetric weights). */
function quantizeSymmetricInt8(tensor: Tensor): QuantizedTensor {
  const w = tensor.data as Float32Array;
  let absMax = 0;
  for (let i = 0; i < w.length; i++) absMax = Math.max(absMax, Math.abs(w[i]));
  const scale = absMax === 0 ? 1 : Math.fround((2 * absMax) / 254);
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = clamp(roundHalfEven(Math.fround(w[i] / scale)), -127, 127);
  return packQuantized(tensor, { dataType: DataType.INT8, data: q }, scale, { dataType: DataType.INT8, data: new Int8Array([0]) });
}

/** uint8 with the range widened to include 0, zero point round(-min/scale) (activation-type tables). */
function quantizeAsymmetricUint8(tensor: Tensor): QuantizedTensor {
  const w = tensor.data as Float32Array;
  let min = 0;
  let max = 0;
  for (let i = 0; i < w.length; i++) {
    min = Math.min(min, w[i]);
    max = Math.max(max, w[i]);
  }
  const scale = max === min ? 1 : Math.fround((max - min) / 255);
  const zeroPoint = clamp(roundHalfEven(-min / scale), 0, 255);
  const q = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = clamp(roundHalfEven(Math.fround(w[i] / scale)) + zeroPoint, 0, 255);
  return packQuantized(tensor, { dataType: DataType.UINT8, data: q }, scale, { dataType: DataType.UINT8, data: new Uint8Array([zeroPoint]) });
}

function packQuantized(
  tensor: Tensor,
  values: Pick<Tensor, "dataType" | "data">,
  scale: number,
  zeroPoint: Pick<Tensor, "dataType" | "data">,
): QuantizedTensor {
  const names = { quantized: `${tensor.name}_quantized`, scale: `${tensor.name}_scale`, zeroPoint: `${tensor.name}_zero_point` };
  return {
    names,
    tensors: [
      { name: names.quantized, dims: tensor.dims, ...values },
      { name: names.scale, dims: [], dataType: DataType.FLOAT, data: new Float32Array([scale]) },
      { name: names.zeroPoint, dims: [], ...zeroPoint },
    ],
  };
}

/** numpy's rint: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
