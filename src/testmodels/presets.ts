import { OpenRerankError } from "../errors/catalog.js";

/** The architecture numbers of a BERT cross-encoder. */
export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  /** Classifier outputs: 1 (a relevance logit, like ms-marco cross-encoders) or 2 (negative/positive). */
  labels: number;
}

/**
 * Presets mirror real cross-encoders: minilm-l6 is cross-encoder/ms-marco-MiniLM-L-6-v2,
 * tinybert-l2 the size of cross-encoder/ms-marco-TinyBERT-L-2-v2 (fast enough for unit tests).
 */
export const PRESETS = {
  "minilm-l6": { layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, labels: 1 },
  "tinybert-l2": { layers: 2, hidden: 128, heads: 2, intermediate: 512, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, labels: 1 },
} as const satisfies Record<string, BertShape>;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(value: string): value is PresetName {
  return Object.hasOwn(PRESETS, value);
}

export interface ShapeOverrides {
  layers?: number;
  hidden?: number;
  heads?: number;
  intermediate?: number;
  labels?: number;
}

/** The preset's shape with explicit flags applied; rejects shapes BERT cannot have. */
export function resolveShape(preset: string, overrides: ShapeOverrides = {}): BertShape {
  if (!isPresetName(preset)) {
    throw new OpenRerankError("invalid_option", `--preset ${JSON.stringify(preset)} is not a test-model preset; allowed: ${Object.keys(PRESETS).join(", ")}.`, {
      option: "preset",
      value: preset,
      allowed: Object.keys(PRESETS),
    });
  }
  const shape: BertShape = { ...PRESETS[preset] };
  for (const key of ["layers", "hidden", "heads", "intermediate"] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1 || value > 65536) {
      throw new OpenRerankError("invalid_option", `--${key} ${String(value)} is not allowed; it must be a whole number from 1 to 65536.`, {
        option: key,
        value,
      });
    }
    shape[key] = value;
  }
  if (overrides.labels !== undefined) {
    if (overrides.labels !== 1 && overrides.labels !== 2) {
      throw new OpenRerankError("invalid_option", `--labels ${String(overrides.labels)} is not allowed; a reranker head has 1 label (a relevance logit) or 2 (negative, positive).`, { option: "labels", value: overrides.labels });
    }
    shape.labels = overrides.labels;
  }
  if (shape.hidden % shape.heads !== 0) {
    throw new OpenRerankError(
      "invalid_option",
      `--heads ${shape.heads} does not divide --hidden ${shape.hidden}; the hidden size must be a multiple of the number of attention heads.`,
      { option: "heads", value: shape.heads, hidden: shape.hidden },
    );
  }
  return shape;
}
