import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OpenRerankError } from "../errors/catalog.js";
import { buildBertGraph } from "./bert-onnx-graph.js";
import { generateBertWeights } from "./bert-weights.js";
import { encodeOnnxModel, encodeOnnxModelWithExternalData } from "./onnx-codec.js";
import { resolveShape, type BertShape, type ShapeOverrides } from "./presets.js";
import { quantizeDynamic } from "./quantize-dynamic.js";
import { weightStdFor } from "./weight-std.js";

export const DEFAULT_SEED = 42;
/**
 * Bumped whenever the same preset and seed would produce different files, so that
 * --if-missing rebuilds models left by an older generator.
 */
export const GENERATOR_VERSION = 1;
/** Copied byte for byte when present; the first two are required. */
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"] as const;
const REQUIRED_TOKENIZER_FILES = new Set(["tokenizer.json", "tokenizer_config.json"]);
/** The name transformers.js and Optimum give the weights of an ONNX file stored beside it. */
const EXTERNAL_DATA_FILE = "model.onnx_data";

export interface MakeTestModelOptions {
  preset: string;
  overrides?: ShapeOverrides;
  /** Folder with the real model's config.json and tokenizer files. */
  tokenizerFrom: string;
  out: string;
  seed?: number;
  int8?: boolean;
  /**
   * Write onnx/model.onnx with its weights in onnx/model.onnx_data beside it, the layout of
   * exports over protobuf's 2 GB limit (e.g. onnx-community/bge-reranker-v2-m3-ONNX).
   */
  externalData?: boolean;
  /** Skip when `out` already holds this preset, seed and shape. */
  ifMissing?: boolean;
}

export interface WrittenFile {
  path: string;
  bytes: number;
}

export interface MakeTestModelResult {
  skipped: boolean;
  outDir: string;
  shape: BertShape;
  seed: number;
  files: WrittenFile[];
  /** Files removed because they no longer matched (an int8 model from an earlier build). */
  removed: string[];
  seconds: number;
}

/** The `openrerank_test_model` field of the written config.json. */
export interface TestModelMarker {
  preset: string;
  seed: number;
  note: string;
  generator_version: number;
  /** Present and true when the fp32 weights live in onnx/model.onnx_data. */
  external_data?: boolean;
}

/**
 * Writes a random-weight BERT cross-encoder in the transformers.js layout: config.json,
 * the tokenizer files, onnx/model.onnx (its weights in onnx/model.onnx_data with
 * externalData) and, with int8, onnx/model_quantized.onnx.
 */
export function makeTestModel(options: MakeTestModelOptions): MakeTestModelResult {
  const started = performance.now();
  const seed = validateSeed(options.seed ?? DEFAULT_SEED);
  const sourceConfig = readSourceConfig(options.tokenizerFrom);
  const shape = {
    ...resolveShape(options.preset, options.overrides),
    // The model must index every id the tokenizer can produce, so these follow the real config.
    ...tableSizesFrom(sourceConfig),
  };
  const config = {
    ...sourceConfig,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    ...(shape.labels === 2 ? { id2label: { 0: "LABEL_0", 1: "LABEL_1" }, label2id: { LABEL_0: 0, LABEL_1: 1 } } : {}),
    openrerank_test_model: {
      preset: options.preset,
      seed,
      note: "random weights: scores carry no meaning",
      generator_version: GENERATOR_VERSION,
      ...(options.externalData ? { external_data: true } : {}),
    } satisfies TestModelMarker,
  };
  const modelPath = join(options.out, "onnx", "model.onnx");
  const externalDataPath = join(options.out, "onnx", EXTERNAL_DATA_FILE);
  const quantizedPath = join(options.out, "onnx", "model_quantized.onnx");
  const configPath = join(options.out, "config.json");
  const tokenizerFiles = TOKENIZER_FILES.filter((name) => existsSync(join(options.tokenizerFrom, name)));
  const outputs = [configPath, ...tokenizerFiles.map((name) => join(options.out, name)), modelPath, ...(options.externalData ? [externalDataPath] : []), ...(options.int8 ? [quantizedPath] : [])];

  if (options.ifMissing && isUpToDate(configPath, config, outputs)) {
    return { skipped: true, outDir: options.out, shape, seed, files: outputs.map(describe), removed: [], seconds: elapsed(started) };
  }

  mkdirSync(join(options.out, "onnx"), { recursive: true });
  const metadata = { "openrerank.preset": options.preset, "openrerank.seed": String(seed) };
  const model = buildBertGraph(shape, generateBertWeights(shape, seed, weightStdFor(shape)), metadata);
  const removed: string[] = [];
  if (options.externalData) {
    const encoded = encodeOnnxModelWithExternalData(model, EXTERNAL_DATA_FILE);
    // The data first: a model.onnx that points at a half-written data file must never exist.
    writeAtomically(externalDataPath, encoded.data);
    writeAtomically(modelPath, encoded.model);
  } else {
    writeAtomically(modelPath, encodeOnnxModel(model));
    if (existsSync(externalDataPath)) {
      rmSync(externalDataPath);
      removed.push(externalDataPath);
    }
  }
  if (options.int8) {
    writeAtomically(quantizedPath, encodeOnnxModel(quantizeDynamic(model)));
  } else if (existsSync(quantizedPath)) {
    // An int8 file from an earlier build would not match the new weights.
    rmSync(quantizedPath);
    removed.push(quantizedPath);
  }
  for (const name of tokenizerFiles) {
    // Read and write rather than copy, so read-only source files do not make outputs read-only.
    writeAtomically(join(options.out, name), readFileSync(join(options.tokenizerFrom, name)));
  }
  // config.json last: its marker is what --if-missing trusts.
  writeAtomically(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { skipped: false, outDir: options.out, shape, seed, files: outputs.map(describe), removed, seconds: elapsed(started) };
}

function validateSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new OpenRerankError("invalid_option", `--seed ${String(seed)} is not allowed; it must be a whole number from 0 to 4294967295.`, {
      option: "seed",
      value: seed,
    });
  }
  return seed;
}

function readSourceConfig(dir: string): Record<string, unknown> {
  for (const name of REQUIRED_TOKENIZER_FILES) {
    if (!existsSync(join(dir, name))) {
      throw new OpenRerankError("invalid_option", `--tokenizer-from ${JSON.stringify(dir)} has no ${name}; it must be a model folder with config.json, tokenizer.json and tokenizer_config.json.`, {
        option: "tokenizer-from",
        value: dir,
        missing: name,
      });
    }
  }
  const configPath = join(dir, "config.json");
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(configPath, "utf8"));
  } catch (error) {
    throw new OpenRerankError("invalid_option", `--tokenizer-from ${JSON.stringify(dir)}: config.json is missing or not valid JSON; the folder must hold the real model's config.json.`, {
      option: "tokenizer-from",
      value: dir,
    }, { cause: error });
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new OpenRerankError("invalid_option", `--tokenizer-from ${JSON.stringify(dir)}: config.json is not a JSON object.`, { option: "tokenizer-from", value: dir });
  }
  return config as Record<string, unknown>;
}

function tableSizesFrom(config: Record<string, unknown>): Partial<BertShape> {
  const sizes: Partial<BertShape> = {};
  const take = (key: string, field: "vocabSize" | "maxPositions" | "typeVocabSize"): void => {
    const value = config[key];
    if (typeof value === "number" && Number.isInteger(value) && value > 0) sizes[field] = value;
  };
  take("vocab_size", "vocabSize");
  take("max_position_embeddings", "maxPositions");
  take("type_vocab_size", "typeVocabSize");
  return sizes;
}

/** True when every output exists and config.json carries the same marker and shape. */
function isUpToDate(configPath: string, wanted: Record<string, unknown>, outputs: string[]): boolean {
  if (!outputs.every((path) => existsSync(path))) return false;
  let existing: Record<string, unknown>;
  try {
    existing = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
  } catch {
    return false;
  }
  const keys = ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size", "max_position_embeddings", "type_vocab_size"];
  const marker = existing.openrerank_test_model as Partial<TestModelMarker> | undefined;
  const wantedMarker = wanted.openrerank_test_model as TestModelMarker;
  const sameMarker =
    marker?.preset === wantedMarker.preset &&
    marker.seed === wantedMarker.seed &&
    marker.generator_version === wantedMarker.generator_version &&
    (marker.external_data ?? false) === (wantedMarker.external_data ?? false);
  return sameMarker && keys.every((key) => existing[key] === wanted[key]);
}

function writeAtomically(path: string, data: Uint8Array | string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

function describe(path: string): WrittenFile {
  return { path, bytes: statSync(path).size };
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}
