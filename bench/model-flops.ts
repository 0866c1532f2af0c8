/**
 * Floating-point work of a BERT cross-encoder, from its config.json and the real (unpadded)
 * length of each pair: what the model must compute, not what a padded batch happens to compute.
 */
import { readFileSync } from "node:fs";

export interface BertDimensions {
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  labels: number;
}

export function readBertDimensions(modelDirectory: string): BertDimensions {
  const config = JSON.parse(readFileSync(`${modelDirectory}/config.json`, "utf8")) as Record<string, unknown>;
  const number = (key: string): number => {
    const value = config[key];
    if (typeof value !== "number") throw new Error(`${modelDirectory}/config.json has no numeric ${key}`);
    return value;
  };
  const labels = typeof config.num_labels === "number" ? config.num_labels : Object.keys((config.id2label as object | undefined) ?? { 0: "" }).length;
  return { layers: number("num_hidden_layers"), hidden: number("hidden_size"), intermediate: number("intermediate_size"), heads: number("num_attention_heads"), labels };
}

/**
 * FLOPs (multiply and add counted separately) of one pair of `length` tokens:
 * per layer the Q, K, V and output projections (4·h² per token) and the feed-forward pair
 * (2·h·I per token), each 2 FLOPs per weight per token, plus attention's QKᵀ and AV products
 * (2·n²·h each, summed over heads), which grow with the square of the length; then the pooler
 * and classifier on the [CLS] row. Embedding lookups, LayerNorm, GELU and softmax are not
 * counted (they are memory-bound and small next to the matrix products).
 */
export function pairFlops(model: BertDimensions, length: number): number {
  const { layers, hidden, intermediate, labels } = model;
  const linearPerToken = 2 * (4 * hidden * hidden + 2 * hidden * intermediate);
  const attention = 2 * 2 * length * length * hidden;
  return layers * (linearPerToken * length + attention) + 2 * hidden * hidden + 2 * hidden * labels;
}

/** FLOPs of all pairs of a request, from each pair's real length (special tokens included). */
export function requestFlops(model: BertDimensions, pairLengths: readonly number[]): number {
  let total = 0;
  for (const length of pairLengths) total += pairFlops(model, length);
  return total;
}

/** The share of a token's FLOPs spent in the linear layers that the MatMul roofline measures. */
export function linearShare(model: BertDimensions, length: number): number {
  const { layers, hidden, intermediate } = model;
  return (layers * 2 * (4 * hidden * hidden + 2 * hidden * intermediate) * length) / pairFlops(model, length);
}
