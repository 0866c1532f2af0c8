import { existsSync, statSync } from "node:fs";
import { rename } from "node:fs/promises";
import path from "node:path";
import { OpenRerankError } from "../../errors/catalog.js";
import { downloadHubFile, type DownloadProgressListener, type HubSettings } from "./hub-download.js";
import { findWeightsFile, missingModelFiles, optionalModelFiles, requiredModelFiles } from "./model-files.js";
import { onnxCandidates, type Dtype } from "./onnx-variants.js";

export interface ModelLocationSettings {
  /** A hub id (`org/name`) or a path to a model directory. */
  model: string;
  dtype: Dtype;
  /** Directory holding `<org>/<name>/…` model folders, searched before the cache. */
  modelsDir?: string;
  /** Where hub downloads are stored, as `<cacheDir>/<org>/<name>/…`. */
  cacheDir: string;
  /** When true, never touch the network. */
  offline: boolean;
  hub: HubSettings;
  progress?: DownloadProgressListener;
}

export type ModelSource = "directory" | "models-dir" | "cache" | "hub";

export interface ResolvedModel {
  id: string;
  directory: string;
  /** The ONNX file for the requested dtype, relative to `directory`. */
  weightsFile: string;
  source: ModelSource;
}

const hubIdPattern = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** A model given as a path rather than a hub id: absolute, explicitly relative, or `~`. */
function looksLikePath(model: string): boolean {
  return path.isAbsolute(model) || model.startsWith("./") || model.startsWith("../") || model.startsWith("~") || model === ".";
}

function expandHome(model: string): string {
  return model.startsWith("~") ? path.join(process.env.HOME ?? "", model.slice(1)) : model;
}

function isDirectory(candidate: string): boolean {
  return existsSync(candidate) && statSync(candidate).isDirectory();
}

/**
 * Finds a model's files, in this order: an explicit directory; `<modelsDir>/<org>/<name>`;
 * `<cacheDir>/<org>/<name>`; a download from the hub into the cache (unless offline).
 * A failure names the id, every place searched and how to obtain the model.
 */
export async function resolveModel(settings: ModelLocationSettings): Promise<ResolvedModel> {
  const { model, dtype } = settings;
  const searched: string[] = [];

  const explicit = looksLikePath(model) ? path.resolve(expandHome(model)) : isDirectory(model) && existsSync(path.join(model, "config.json")) ? path.resolve(model) : undefined;
  if (explicit !== undefined) {
    const missing = isDirectory(explicit) ? missingModelFiles(explicit, dtype) : ["the directory itself"];
    if (missing.length === 0) return complete(model, explicit, dtype, "directory");
    throw new OpenRerankError(
      "model_not_found",
      `model directory ${explicit} is missing ${missing.join(", ")} for dtype ${dtype}. A model directory needs config.json, tokenizer.json and onnx/${onnxCandidates(dtype)[0].replace("onnx/", "")} (the Hugging Face transformers.js layout).`,
      { model, directory: explicit, missing, dtype },
    );
  }

  if (!hubIdPattern.test(model)) {
    throw new OpenRerankError(
      "model_not_found",
      `model "${model}" is neither a directory nor a Hugging Face id of the form org/name (e.g. cross-encoder/ms-marco-MiniLM-L-6-v2).`,
      { model },
    );
  }

  for (const [source, root] of [["models-dir", settings.modelsDir], ["cache", settings.cacheDir]] as const) {
    if (root === undefined) continue;
    const directory = path.resolve(root, model);
    searched.push(`${directory} (${source === "models-dir" ? "models directory" : "download cache"})`);
    if (isDirectory(directory) && missingModelFiles(directory, dtype).length === 0) return complete(model, directory, dtype, source);
  }

  if (settings.offline) {
    throw notFound(model, dtype, searched, "offline mode is on (--offline / OPENRERANK_OFFLINE=1), so the hub was not contacted");
  }
  const directory = path.resolve(settings.cacheDir, model);
  searched.push(`${settings.hub.endpoint.replace(/\/+$/, "")}/${model} (Hugging Face hub, revision ${settings.hub.revision})`);
  await downloadModel(settings, directory, searched);
  return complete(model, directory, dtype, "hub");
}

function complete(id: string, directory: string, dtype: Dtype, source: ModelSource): ResolvedModel {
  const weightsFile = findWeightsFile(directory, dtype);
  if (weightsFile === undefined) throw new Error(`internal: ${directory} was checked complete but has no weights for ${dtype}`);
  return { id, directory, weightsFile, source };
}

async function downloadModel(settings: ModelLocationSettings, directory: string, searched: string[]): Promise<void> {
  const { model, hub, progress, dtype } = settings;
  for (const file of requiredModelFiles) {
    if (existsSync(path.join(directory, file))) continue;
    if (!(await downloadHubFile(hub, model, file, path.join(directory, file), progress))) {
      throw notFound(model, dtype, searched, `the hub has no ${file} for ${model}`);
    }
  }
  for (const file of optionalModelFiles) {
    if (!existsSync(path.join(directory, file))) await downloadHubFile(hub, model, file, path.join(directory, file), progress);
  }
  if (findWeightsFile(directory, dtype) !== undefined) return;
  // Only the `onnx/` folder is tried on the hub: it is where ONNX exports publish their files.
  for (const candidate of onnxCandidates(dtype).filter((file) => file.startsWith("onnx/"))) {
    if (await downloadWeights(settings, directory, candidate)) return;
  }
  throw notFound(model, dtype, searched, `the hub repository ${model} has no ONNX weights for dtype ${dtype} (tried ${onnxCandidates(dtype).filter((file) => file.startsWith("onnx/")).join(", ")}); pick another --dtype or an ONNX export such as Xenova/ms-marco-MiniLM-L-6-v2`);
}

/**
 * Downloads one ONNX file and, when the repository has one, the external data file beside it
 * (`model.onnx_data`: exports over protobuf's 2 GB limit keep their weights there). The ONNX
 * file takes its final name last, so a cache directory holding `model.onnx` always holds its
 * data too, and an interrupted download is redone rather than half-loaded.
 */
async function downloadWeights(settings: ModelLocationSettings, directory: string, file: string): Promise<boolean> {
  const { model, hub, progress } = settings;
  const destination = path.join(directory, file);
  const staged = `${destination}.incomplete`;
  if (!(await downloadHubFile(hub, model, file, staged, progress))) return false;
  await downloadHubFile(hub, model, `${file}_data`, `${destination}_data`, progress);
  await rename(staged, destination);
  return true;
}

function notFound(model: string, dtype: Dtype, searched: string[], reason: string): OpenRerankError {
  return new OpenRerankError(
    "model_not_found",
    `model ${model} (dtype ${dtype}) was not found: ${reason}. Searched: ${searched.join("; ")}. ` +
      `To obtain it, run once with network access (it downloads into the cache), or copy its files (config.json, tokenizer.json, ${onnxCandidates(dtype)[0]}) into <models-dir>/${model}/ and pass --models-dir or OPENRERANK_MODELS_DIR.`,
    { model, dtype, searched },
  );
}
