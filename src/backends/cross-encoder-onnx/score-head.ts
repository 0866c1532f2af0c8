import { OpenRerankError } from "../../errors/catalog.js";

/**
 * How a cross-encoder's output row becomes a ranking key and a calibrated score, read from
 * `config.json`. A single-logit head is never softmaxed (softmax over one value is always 1.0,
 * the transformers.js text-classification trap); a two-label head ranks by the positive label.
 */
export interface ScoreHead {
  labels: number;
  /** Column of the logits row that means "relevant". */
  positiveIndex: number;
  /** The activation sentence-transformers would apply (informational; `relevanceScore` is always a probability). */
  activation: "identity" | "sigmoid" | "softmax";
}

const positiveLabelNames = ["relevant", "positive", "yes", "true", "entailment", "label_1", "1"];

interface ConfigLike {
  num_labels?: unknown;
  id2label?: unknown;
  sbert_ce_default_activation_function?: unknown;
  sentence_transformers?: { activation_fn?: unknown };
}

export function readScoreHead(config: ConfigLike | Record<string, unknown>): ScoreHead {
  const fields = config as ConfigLike;
  const id2label = typeof fields.id2label === "object" && fields.id2label !== null ? (fields.id2label as Record<string, unknown>) : undefined;
  const labels = typeof fields.num_labels === "number" ? fields.num_labels : id2label ? Object.keys(id2label).length : 1;
  if (labels !== 1 && labels !== 2) {
    throw new OpenRerankError(
      "model_load_failed",
      `config.json declares ${labels} labels; a reranker needs a single-logit or a two-label (negative/positive) classification head.`,
      { labels },
    );
  }
  let positiveIndex = 0;
  if (labels === 2) {
    positiveIndex = 1;
    for (const [key, name] of Object.entries(id2label ?? {})) {
      if (positiveLabelNames.includes(String(name).toLowerCase())) positiveIndex = Number(key);
    }
  }
  const activationName = String(fields.sentence_transformers?.activation_fn ?? fields.sbert_ce_default_activation_function ?? "").toLowerCase();
  const activation = activationName.includes("sigmoid") ? "sigmoid" : labels === 2 ? "softmax" : "identity";
  return { labels, positiveIndex, activation };
}

/**
 * Converts one logits row into the raw score (positive logit) and the log-odds used for
 * ranking; `relevanceScore = sigmoid(logOdds)` is then the positive-class probability for both
 * head kinds, because softmax over two logits equals sigmoid of their difference.
 */
export function scoreRow(head: ScoreHead, logits: ArrayLike<number>, row: number): { score: number; logOdds: number } {
  const base = row * head.labels;
  const score = logits[base + head.positiveIndex];
  const logOdds = head.labels === 1 ? score : score - logits[base + 1 - head.positiveIndex];
  return { score, logOdds };
}
