import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the shared fixtures live: `../shared` beside the repository (CI lays it there too).
 * Every test reads them through these paths, so the location is spelled once.
 */
export const sharedRoot = fileURLToPath(new URL("../../../shared", import.meta.url));

/** The real tokenizer and config of cross-encoder/ms-marco-MiniLM-L-6-v2 (shared/models/PROVENANCE.md). */
export const minilmTokenizerDir = path.join(sharedRoot, "models/cross-encoder/ms-marco-MiniLM-L-6-v2");

/** BEIR SciFact (shared/datasets/PROVENANCE.md). */
export const scifactDir = path.join(sharedRoot, "datasets/beir/scifact");
