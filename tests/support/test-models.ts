import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { scifactDir } from "./shared-paths.js";

/** Where `npm run test-models` writes the random-weight test models (ids `test/minilm-l6`, `test/tinybert-l2`). */
export const testModelsDir = path.resolve("build/models");

/**
 * Fails loudly when the test models are missing: a test that skipped would prove nothing.
 * `npm test` builds them first (pretest); CI builds them in .ci/run.
 */
export function requireTestModel(id: "test/minilm-l6" | "test/tinybert-l2"): string {
  const directory = path.join(testModelsDir, id);
  if (!existsSync(path.join(directory, "onnx/model.onnx"))) {
    throw new Error(`test model ${id} is missing from ${directory}; run "npm run build && npm run test-models" (npm test does this first).`);
  }
  return directory;
}

/** SciFact abstracts: real scientific text of varied length for tests that need realistic documents. */
export function scifactTexts(count: number): string[] {
  const lines = readFileSync(path.join(scifactDir, "corpus.jsonl"), "utf8").split("\n");
  return lines.slice(0, count).map((line) => (JSON.parse(line) as { text: string }).text);
}
