import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RerankerInfo } from "../reranker/types.js";

/** Printed wherever reranked numbers from a random-weight test model are shown. */
export const randomWeightNotice = "random-weight test model: scores carry no meaning";

/**
 * True for the random-weight test models `make-test-model` writes (their config.json has an
 * `openrerank_test_model` field): their rankings are noise, so their metrics must be labelled.
 */
export function isRandomWeightTestModel(info: RerankerInfo): boolean {
  const flagged = (info as Partial<{ isRandomWeightTestModel: unknown }>).isRandomWeightTestModel;
  if (typeof flagged === "boolean") return flagged;
  try {
    const config = JSON.parse(readFileSync(join(info.directory, "config.json"), "utf8")) as Record<string, unknown>;
    return "openrerank_test_model" in config;
  } catch {
    return false; // no readable config: not one of ours
  }
}
