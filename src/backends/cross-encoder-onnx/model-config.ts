import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { OpenRerankError } from "../../errors/catalog.js";

/** The parts of a model directory's JSON files that scoring depends on. */
export interface CrossEncoderModelConfig {
  config: Record<string, unknown> & { model_type?: string };
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Window in tokens for query + document + special tokens. */
  maxSequenceLength: number;
  padId: number;
  /** Set on models built by `make-test-model`: random weights whose scores mean nothing. */
  isRandomWeightTestModel: boolean;
}

function readJson(file: string, required: boolean): Record<string, unknown> {
  if (!existsSync(file)) {
    if (required) throw new OpenRerankError("model_load_failed", `${file} is missing.`, { file });
    return {};
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new OpenRerankError("model_load_failed", `${file} is not valid JSON: ${(error as Error).message}`, { file }, { cause: error });
  }
}

/**
 * Reads config.json, tokenizer.json and tokenizer_config.json. The window is the smaller of
 * the tokenizer's `model_max_length` (when it is a real number, not the 1e30 placeholder) and
 * the position table; RoBERTa-family tables reserve two slots for the padding offset.
 */
export function readModelConfig(directory: string): CrossEncoderModelConfig {
  const config = readJson(path.join(directory, "config.json"), true);
  const tokenizerJson = readJson(path.join(directory, "tokenizer.json"), true);
  const tokenizerConfig = readJson(path.join(directory, "tokenizer_config.json"), false);
  const modelType = typeof config.model_type === "string" ? config.model_type : undefined;

  const limits: number[] = [];
  if (typeof config.max_position_embeddings === "number") {
    const offset = modelType === "roberta" || modelType === "xlm-roberta" || modelType === "camembert" ? 2 : 0;
    limits.push(config.max_position_embeddings - offset);
  }
  if (typeof tokenizerConfig.model_max_length === "number" && tokenizerConfig.model_max_length < 1_000_000) {
    limits.push(tokenizerConfig.model_max_length);
  }
  const maxSequenceLength = limits.length > 0 ? Math.min(...limits) : 512;
  const padId = typeof config.pad_token_id === "number" ? config.pad_token_id : 0;
  return { config, tokenizerJson, tokenizerConfig, maxSequenceLength, padId, isRandomWeightTestModel: "openrerank_test_model" in config };
}
