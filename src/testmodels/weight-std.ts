import type { BertShape } from "./presets.js";

/** Standard deviations of the normal distributions the weights are drawn from. */
export interface WeightStd {
  embeddings: number;
  /** Q, K, V and attention-output projections. */
  attention: number;
  ffnIn: number;
  ffnOut: number;
  pooler: number;
  classifier: number;
}

/** BERT's initializer_range, kept for the embeddings (LayerNorm follows, so their scale is moot). */
export const INITIALIZER_RANGE = 0.02;

/**
 * Why not normal(0, 0.02) everywhere, as BERT initializes: with that, a random body maps every
 * input to nearly the same [CLS] state, because attention is uniform and each layer adds a
 * small update to the [CLS] token's own residual. Measured on random pairs, the spread of the
 * logit across documents was 0.6% (tinybert-l2) and 4% (minilm-l6) of its common offset, so a
 * larger classifier alone would have to amplify by ~1000× and fp32 rounding (and int8 noise)
 * would dominate what tests compare. Instead, the linear layers use fan-in scaling,
 * normal(0, 1/√fan_in), which keeps activations at unit scale, and attention twice that, so
 * scores q·k/√d are O(1) and attention depends on content. The classifier has 4/√hidden:
 * logits then spread with a standard deviation of about 1 across documents for one query
 * (typically within ±6 overall), like a real cross-encoder's range. Biases are 0, LayerNorm
 * gamma 1 and beta 0, as in BERT's init.
 */
export function weightStdFor(shape: BertShape): WeightStd {
  return {
    embeddings: INITIALIZER_RANGE,
    attention: 2 / Math.sqrt(shape.hidden),
    ffnIn: 1 / Math.sqrt(shape.hidden),
    ffnOut: 1 / Math.sqrt(shape.intermediate),
    pooler: 1 / Math.sqrt(shape.hidden),
    classifier: 4 / Math.sqrt(shape.hidden),
  };
}
