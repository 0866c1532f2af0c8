import os from "node:os";
import path from "node:path";

/** Where models come from when the caller does not say: the documented environment variables. */
export interface ModelSourceDefaults {
  modelsDir?: string;
  cacheDir: string;
  offline: boolean;
  hubEndpoint: string;
  hubToken?: string;
}

/**
 * Reads the model-source environment once, at the public edge (CLI and `loadReranker`), so the
 * core receives explicit values and never reads `process.env` itself.
 *
 * - `OPENRERANK_MODELS_DIR`: a directory of `<org>/<name>/` model folders, searched first.
 * - `OPENRERANK_CACHE_DIR`: download cache (default `$XDG_CACHE_HOME/openrerank` or `~/.cache/openrerank`).
 * - `OPENRERANK_OFFLINE=1` (or `HF_HUB_OFFLINE=1`): never touch the network.
 * - `HF_ENDPOINT`: hub base URL (default https://huggingface.co); `HF_TOKEN`: hub token.
 */
export function readModelSourceDefaults(env: NodeJS.ProcessEnv = process.env): ModelSourceDefaults {
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return {
    modelsDir: env.OPENRERANK_MODELS_DIR || undefined,
    cacheDir: env.OPENRERANK_CACHE_DIR || path.join(cacheRoot, "openrerank"),
    offline: isTruthy(env.OPENRERANK_OFFLINE) || isTruthy(env.HF_HUB_OFFLINE),
    hubEndpoint: env.HF_ENDPOINT || "https://huggingface.co",
    hubToken: env.HF_TOKEN || undefined,
  };
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes", "on"].includes(value.toLowerCase());
}
