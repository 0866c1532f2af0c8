import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { makeTestModel, type MakeTestModelOptions } from "../../src/testmodels/make-test-model.js";
import type { PresetName } from "../../src/testmodels/presets.js";
import type { EncodedPair } from "../support/reference-bert.js";
import { minilmTokenizerDir } from "../support/shared-paths.js";

/** The real tokenizer and config of cross-encoder/ms-marco-MiniLM-L-6-v2 (see shared/models/PROVENANCE.md). */
export const TOKENIZER_DIR = minilmTokenizerDir;

export const QUERY = "How many people live in Berlin?";
/** Ten documents of different topics and lengths. */
export const DOCUMENTS = [
  "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.",
  "New York City is famous for the Metropolitan Museum of Art.",
  "The cat sat on the mat.",
  "Paris is the capital and most populous city of France, with an estimated population of 2,102,650 residents.",
  "Photosynthesis converts light energy into chemical energy that fuels the organism's activities.",
  "Berlin is the capital of Germany.",
  "I like pizza with extra cheese and olives.",
  "The stock market fell sharply on Monday after the central bank raised interest rates by half a point.",
  "Water boils at 100 degrees Celsius at sea level.",
  "Short.",
];

const scratch: string[] = [];
process.on("exit", () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function scratchDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "openrerank-testmodel-"));
  scratch.push(dir);
  return dir;
}

const built = new Map<string, string>();

/** Builds (once per process) a test model into a temporary folder and returns the folder. */
export function buildModel(preset: PresetName, options: Partial<MakeTestModelOptions> = {}): string {
  const key = JSON.stringify({ preset, ...options });
  let dir = built.get(key);
  if (!dir) {
    dir = path.join(scratchDir(), preset);
    makeTestModel({ preset, tokenizerFrom: TOKENIZER_DIR, out: dir, int8: true, ...options });
    built.set(key, dir);
  }
  return dir;
}

let tokenizer: Tokenizer | undefined;

/** Encodes (query, document) pairs with the real tokenizer, unpadded. */
export function encodePairs(query: string, documents: readonly string[]): EncodedPair[] {
  tokenizer ??= new Tokenizer(
    JSON.parse(readFileSync(path.join(TOKENIZER_DIR, "tokenizer.json"), "utf8")) as object,
    JSON.parse(readFileSync(path.join(TOKENIZER_DIR, "tokenizer_config.json"), "utf8")) as object,
  );
  const encoder = tokenizer;
  return documents.map((document) => {
    const encoded = encoder.encode(query, { text_pair: document, return_token_type_ids: true });
    return { inputIds: encoded.ids, tokenTypeIds: encoded.token_type_ids };
  });
}

/** Runs pairs through a session as one right-padded batch (pad id 0, mask 0) and returns the logits. */
export async function ortLogits(session: ort.InferenceSession, pairs: readonly EncodedPair[]): Promise<number[]> {
  const length = Math.max(...pairs.map((pair) => pair.inputIds.length));
  const tensor = (values: (pair: EncodedPair) => number[]): ort.Tensor => {
    const data = new BigInt64Array(pairs.length * length);
    pairs.forEach((pair, row) => values(pair).forEach((value, column) => (data[row * length + column] = BigInt(value))));
    return new ort.Tensor("int64", data, [pairs.length, length]);
  };
  const outputs = await session.run({
    input_ids: tensor((pair) => pair.inputIds),
    attention_mask: tensor((pair) => pair.inputIds.map(() => 1)),
    token_type_ids: tensor((pair) => pair.tokenTypeIds),
  });
  const logits = outputs.logits;
  if (logits.dims.length !== 2 || logits.dims[0] !== pairs.length || logits.dims[1] !== 1) throw new Error(`logits have dims [${logits.dims.join(", ")}]`);
  return Array.from(logits.data as Float32Array);
}

export function openSession(modelPath: string, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, { graphOptimizationLevel: "all", logSeverityLevel: 3, ...options });
}

export function maxAbsDifference(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])));
}

export function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}
