/**
 * What a backend's model directory holds, so model resolution (directory, models dir, cache,
 * hub download) works for any backend without knowing its file formats. The ONNX
 * cross-encoder layout is `onnx-layout.ts` in its backend folder.
 */
export interface ModelLayout {
  /** The variant asked for, as messages name it, e.g. `dtype int8`. */
  variant: string;
  /** Files a complete directory must hold besides the weights. */
  requiredFiles: readonly string[];
  /** Files read when present; downloaded when the hub has them. */
  optionalFiles: readonly string[];
  /** The weights file for this variant, relative to the directory, in order of preference. */
  weightsCandidates: readonly string[];
  /** The candidates worth asking the hub for (where exporters publish them). */
  hubWeightsCandidates: readonly string[];
  /** Suffixes of files that travel with a weights file when the hub has them (ONNX external data: `_data`). */
  weightsCompanionSuffixes: readonly string[];
  /** One sentence on what a directory of this layout holds, for "not found" messages. */
  description: string;
}
