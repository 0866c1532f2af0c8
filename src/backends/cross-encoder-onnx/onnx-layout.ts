import { OpenRerankError } from "../../errors/catalog.js";
import type { ModelLayout } from "../../inference/model-resolution/model-layout.js";

/** Precisions a model can be loaded in; each maps to ONNX files of the transformers.js layout. */
export const dtypes = ["fp32", "int8", "fp16", "q4"] as const;
export type Dtype = (typeof dtypes)[number];

/**
 * Candidate file names under `onnx/` for each dtype, in order of preference. Exporters name
 * int8 files differently (optimum's `model_quantized.onnx`, transformers.js's
 * `model_int8.onnx` / `model_uint8.onnx`); any of them is a dynamically quantized graph.
 */
const variantFiles: Record<Dtype, readonly string[]> = {
  fp32: ["model.onnx"],
  int8: ["model_quantized.onnx", "model_int8.onnx", "model_uint8.onnx"],
  fp16: ["model_fp16.onnx"],
  q4: ["model_q4.onnx"],
};

/** Paths relative to the model directory, `onnx/` first, then the repository root. */
export function onnxCandidates(dtype: Dtype): string[] {
  const names = variantFiles[dtype];
  return [...names.map((name) => `onnx/${name}`), ...names];
}

/**
 * The transformers.js layout of an ONNX cross-encoder: config.json and tokenizer.json beside
 * `onnx/model*.onnx` (with `model.onnx_data` when the export keeps its weights outside the graph).
 */
export function onnxLayout(dtype: Dtype): ModelLayout {
  const candidates = onnxCandidates(dtype);
  return {
    variant: `dtype ${dtype}`,
    requiredFiles: ["config.json", "tokenizer.json"],
    optionalFiles: ["tokenizer_config.json", "special_tokens_map.json"],
    weightsCandidates: candidates,
    // Only the `onnx/` folder is tried on the hub: it is where ONNX exports publish their files.
    hubWeightsCandidates: candidates.filter((file) => file.startsWith("onnx/")),
    weightsCompanionSuffixes: ["_data"],
    description: `A model directory needs config.json, tokenizer.json and ${candidates[0]} (the Hugging Face transformers.js layout).`,
  };
}

export function parseDtype(value: string, field = "dtype"): Dtype {
  if ((dtypes as readonly string[]).includes(value)) return value as Dtype;
  throw new OpenRerankError(
    "invalid_option",
    `${field} "${value}" is not supported; use one of ${dtypes.join(", ")} (fp32 = onnx/model.onnx, int8 = onnx/model_quantized.onnx).`,
    { field, value, allowed: dtypes },
  );
}
