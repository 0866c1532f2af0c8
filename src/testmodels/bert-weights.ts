import { SeededRandom } from "./seeded-random.js";
import { elementCount, floatTensor, type Tensor } from "./onnx-model.js";
import type { BertShape } from "./presets.js";
import type { WeightStd } from "./weight-std.js";

/**
 * All parameters of BertForSequenceClassification, named as in the Hugging Face checkpoint.
 * Linear layers applied by MatMul are stored as `<name>.weight_t`, the transpose of torch's
 * [out, in] weight, i.e. [in, out] as MatMul's B; pooler and classifier stay [out, in] for Gemm
 * with transB=1, as in a torch export. Standard deviations come from weight-std.ts.
 */
export function generateBertWeights(shape: BertShape, seed: number, std: WeightStd): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  const normal = (name: string, dims: number[], sd: number): void => {
    tensors.set(name, floatTensor(name, dims, SeededRandom.forTensor(seed, name).normalArray(elementCount(dims), sd)));
  };
  const constant = (name: string, dims: number[], value: number): void => {
    tensors.set(name, floatTensor(name, dims, new Float32Array(elementCount(dims)).fill(value)));
  };
  const layerNorm = (prefix: string): void => {
    constant(`${prefix}.weight`, [shape.hidden], 1);
    constant(`${prefix}.bias`, [shape.hidden], 0);
  };
  const linear = (prefix: string, inSize: number, outSize: number, weightStd: number): void => {
    normal(`${prefix}.weight_t`, [inSize, outSize], weightStd);
    constant(`${prefix}.bias`, [outSize], 0);
  };

  const { hidden, intermediate } = shape;
  normal("bert.embeddings.word_embeddings.weight", [shape.vocabSize, hidden], std.embeddings);
  normal("bert.embeddings.position_embeddings.weight", [shape.maxPositions, hidden], std.embeddings);
  normal("bert.embeddings.token_type_embeddings.weight", [shape.typeVocabSize, hidden], std.embeddings);
  layerNorm("bert.embeddings.LayerNorm");
  for (let i = 0; i < shape.layers; i++) {
    const layer = `bert.encoder.layer.${i}`;
    linear(`${layer}.attention.self.query`, hidden, hidden, std.attention);
    linear(`${layer}.attention.self.key`, hidden, hidden, std.attention);
    linear(`${layer}.attention.self.value`, hidden, hidden, std.attention);
    linear(`${layer}.attention.output.dense`, hidden, hidden, std.attention);
    layerNorm(`${layer}.attention.output.LayerNorm`);
    linear(`${layer}.intermediate.dense`, hidden, intermediate, std.ffnIn);
    linear(`${layer}.output.dense`, intermediate, hidden, std.ffnOut);
    layerNorm(`${layer}.output.LayerNorm`);
  }
  normal("bert.pooler.dense.weight", [hidden, hidden], std.pooler);
  constant("bert.pooler.dense.bias", [hidden], 0);
  normal("classifier.weight", [shape.labels, hidden], std.classifier);
  constant("classifier.bias", [shape.labels], 0);
  return tensors;
}
