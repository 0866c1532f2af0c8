import { existsSync } from "node:fs";
import path from "node:path";
import { onnxCandidates, type Dtype } from "./onnx-variants.js";

/** Files every cross-encoder directory must hold besides its ONNX weights. */
export const requiredModelFiles = ["config.json", "tokenizer.json"] as const;
/** Files read when present; the hub may not have them for every repository. */
export const optionalModelFiles = ["tokenizer_config.json", "special_tokens_map.json"] as const;

/** What is missing from a candidate model directory, or an empty list when it is complete for `dtype`. */
export function missingModelFiles(directory: string, dtype: Dtype): string[] {
  const missing: string[] = requiredModelFiles.filter((file) => !existsSync(path.join(directory, file)));
  if (findWeightsFile(directory, dtype) === undefined) missing.push(onnxCandidates(dtype)[0]);
  return missing;
}

/** The ONNX file for `dtype` inside `directory`, relative to it, or undefined. */
export function findWeightsFile(directory: string, dtype: Dtype): string | undefined {
  return onnxCandidates(dtype).find((candidate) => existsSync(path.join(directory, candidate)));
}
