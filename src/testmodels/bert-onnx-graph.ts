import { GraphBuilder } from "./graph-builder.js";
import { attr, DataType, int64Tensor, type OnnxModel, type Tensor } from "./onnx-model.js";
import type { BertShape } from "./presets.js";

/** Opset of Xenova's BERT exports (optimum's default for BERT); LayerNorm is decomposed below 17. */
export const OPSET_VERSION = 14;
/** IR version 8 (ONNX 1.10+); any ONNX Runtime since 1.10 reads it. */
export const IR_VERSION = 8;
/** BERT's layer_norm_eps. */
export const LAYER_NORM_EPS = 1e-12;
/**
 * The additive-mask constant: `(1 - mask) * torch.finfo(float32).min`, which is what
 * transformers (since 4.21) writes into exports, Xenova's included; older exports used -10000.
 */
export const MASK_NEGATIVE = -3.4028234663852886e38;

/**
 * BertForSequenceClassification as torch.onnx.export (opset 14, eager attention) writes it:
 * decomposed LayerNorm (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add), exact GELU as
 * Div(√2)/Erf/Add(1)/Mul/Mul(0.5), attention as Reshape/Transpose/MatMul/Div/Add(mask)/Softmax,
 * position ids sliced from the `position_ids` buffer by the input's length, pooler and
 * classifier as Gemm on the [CLS] row. Reshape targets are constants [0, 0, heads, head_size]
 * and [0, 0, hidden] (0 = keep that dim), the form ORT's fusions and optimizers expect.
 */
export function buildBertGraph(shape: BertShape, weights: ReadonlyMap<string, Tensor>, metadata: Record<string, string>): OnnxModel {
  const g = new GraphBuilder();
  const w = (name: string): string => {
    const tensor = weights.get(name);
    if (!tensor) throw new Error(`missing weight ${name}`);
    return g.initializer(tensor);
  };
  const headSize = shape.hidden / shape.heads;

  const layerNorm = (scope: string, x: string, prefix: string): string => {
    const mean = g.op(scope, "ReduceMean", [x], { axes: attr.ints([-1]) });
    const centered = g.op(scope, "Sub", [x, mean]);
    const squared = g.op(scope, "Pow", [centered, g.floatScalar(2)]);
    const variance = g.op(scope, "ReduceMean", [squared], { axes: attr.ints([-1]) });
    const std = g.op(scope, "Sqrt", [g.op(scope, "Add", [variance, g.floatScalar(LAYER_NORM_EPS)])]);
    const normalized = g.op(scope, "Div", [centered, std]);
    return g.op(scope, "Add", [g.op(scope, "Mul", [normalized, w(`${prefix}.weight`)]), w(`${prefix}.bias`)]);
  };
  const linear = (scope: string, x: string, prefix: string): string =>
    g.op(scope, "Add", [g.op(scope, "MatMul", [x, w(`${prefix}.weight_t`)]), w(`${prefix}.bias`)]);
  const gemm = (scope: string, x: string, prefix: string): string =>
    g.op(scope, "Gemm", [x, w(`${prefix}.weight`), w(`${prefix}.bias`)], { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) });

  // Embeddings: word + token type + position, then LayerNorm.
  const emb = "/bert/embeddings";
  const words = g.op(`${emb}/word_embeddings`, "Gather", [w("bert.embeddings.word_embeddings.weight"), "input_ids"]);
  const types = g.op(`${emb}/token_type_embeddings`, "Gather", [w("bert.embeddings.token_type_embeddings.weight"), "token_type_ids"]);
  const seqLength = g.op(emb, "Gather", [g.op(emb, "Shape", ["input_ids"]), g.int64Constant([1], [])], { axis: attr.int(0) });
  const positionIdsBuffer = g.initializer(
    int64Tensor("bert.embeddings.position_ids", [1, shape.maxPositions], Array.from({ length: shape.maxPositions }, (_, i) => i)),
  );
  const positionIds = g.op(emb, "Slice", [positionIdsBuffer, g.int64Constant([0]), g.op(emb, "Unsqueeze", [seqLength, g.int64Constant([0])]), g.int64Constant([1]), g.int64Constant([1])]);
  const positions = g.op(`${emb}/position_embeddings`, "Gather", [w("bert.embeddings.position_embeddings.weight"), positionIds]);
  const summed = g.op(emb, "Add", [g.op(emb, "Add", [words, types]), positions]);
  let hidden = layerNorm(`${emb}/LayerNorm`, summed, "bert.embeddings.LayerNorm");

  // Additive attention mask [batch, 1, 1, seq]: 0 where attended, MASK_NEGATIVE where padded.
  const maskScope = "/bert";
  const mask4d = g.op(maskScope, "Unsqueeze", [g.op(maskScope, "Unsqueeze", ["attention_mask", g.int64Constant([1])]), g.int64Constant([2])]);
  const maskFloat = g.op(maskScope, "Cast", [mask4d], { to: attr.int(DataType.FLOAT) });
  const additiveMask = g.op(maskScope, "Mul", [g.op(maskScope, "Sub", [g.floatScalar(1), maskFloat]), g.floatScalar(MASK_NEGATIVE)]);

  const headShape = g.int64Constant([0, 0, shape.heads, headSize]);
  const mergedShape = g.int64Constant([0, 0, shape.hidden]);
  for (let i = 0; i < shape.layers; i++) {
    const scope = `/bert/encoder/layer.${i}`;
    const prefix = `bert.encoder.layer.${i}`;
    const self = `${scope}/attention/self`;
    const splitHeads = (name: string, perm: number[]): string =>
      g.op(self, "Transpose", [g.op(self, "Reshape", [linear(`${self}/${name}`, hidden, `${prefix}.attention.self.${name}`), headShape])], { perm: attr.ints(perm) });
    const query = splitHeads("query", [0, 2, 1, 3]);
    const keyT = splitHeads("key", [0, 2, 3, 1]);
    const value = splitHeads("value", [0, 2, 1, 3]);
    const scores = g.op(self, "Div", [g.op(self, "MatMul", [query, keyT]), g.floatScalar(Math.fround(Math.sqrt(headSize)))]);
    const probs = g.op(self, "Softmax", [g.op(self, "Add", [scores, additiveMask])], { axis: attr.int(-1) });
    const context = g.op(self, "Transpose", [g.op(self, "MatMul", [probs, value])], { perm: attr.ints([0, 2, 1, 3]) });
    const merged = g.op(self, "Reshape", [context, mergedShape]);

    const attnOut = `${scope}/attention/output`;
    const attended = g.op(attnOut, "Add", [linear(`${attnOut}/dense`, merged, `${prefix}.attention.output.dense`), hidden]);
    hidden = layerNorm(`${attnOut}/LayerNorm`, attended, `${prefix}.attention.output.LayerNorm`);

    const inter = `${scope}/intermediate`;
    const preActivation = linear(`${inter}/dense`, hidden, `${prefix}.intermediate.dense`);
    const act = `${inter}/intermediate_act_fn`;
    const erf = g.op(act, "Erf", [g.op(act, "Div", [preActivation, g.floatScalar(Math.SQRT2)])]);
    const gelu = g.op(act, "Mul", [g.op(act, "Mul", [preActivation, g.op(act, "Add", [erf, g.floatScalar(1)])]), g.floatScalar(0.5)]);

    const out = `${scope}/output`;
    const ffn = g.op(out, "Add", [linear(`${out}/dense`, gelu, `${prefix}.output.dense`), hidden]);
    hidden = layerNorm(`${out}/LayerNorm`, ffn, `${prefix}.output.LayerNorm`);
  }

  // Pooler over the [CLS] row, then the 1-logit classifier.
  const cls = g.op("/bert/pooler", "Gather", [hidden, g.int64Constant([0], [])], { axis: attr.int(1) });
  const pooled = g.op("/bert/pooler/activation", "Tanh", [gemm("/bert/pooler/dense", cls, "bert.pooler.dense")]);
  const logitsNode = g.nodes.length;
  gemm("/classifier", pooled, "classifier");
  g.nodes[logitsNode].outputs = ["logits"];

  const dynamic = ["batch_size", "sequence_length"];
  return {
    irVersion: IR_VERSION,
    opsetVersion: OPSET_VERSION,
    producerName: "openrerank make-test-model",
    producerVersion: "1",
    graphName: "main_graph",
    docString: "BertForSequenceClassification with random weights (openrerank test model): scores carry no meaning.",
    metadata,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [
      { name: "input_ids", elemType: DataType.INT64, dims: dynamic },
      { name: "attention_mask", elemType: DataType.INT64, dims: dynamic },
      { name: "token_type_ids", elemType: DataType.INT64, dims: dynamic },
    ],
    outputs: [{ name: "logits", elemType: DataType.FLOAT, dims: ["batch_size", shape.labels] }],
  };
}
