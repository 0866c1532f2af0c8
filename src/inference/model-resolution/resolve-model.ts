import { existsSync, statSync } from "node:fs";
import { rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { OpenRerankError } from "../../errors/catalog.js";
import { downloadHubFile, type DownloadProgressListener, type HubSettings } from "./hub-download.js";
import type { ModelLayout } from "./model-layout.js";

export interface ModelLocationSettings {
  /** A hub id (`org/name`) or a path to a model directory. */
  model: string;
  /** The files the backend needs, for the variant it loads. */
  layout: ModelLayout;
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
  /** The weights file for the requested variant, relative to `directory`. */
  weightsFile: string;
  source: ModelSource;
}

/** The Hugging Face hub. */
export const defaultHubEndpoint = "https://huggingface.co";

/** The download cache when none is given: `~/.cache/openrerank` (the CLI and server honour XDG_CACHE_HOME). */
export function defaultCacheDir(cacheRoot = path.join(os.homedir(), ".cache")): string {
  return path.join(cacheRoot, "openrerank");
}

/** The model as a local directory when it names an existing one, else undefined (a hub id). */
export function looksLikeDirectory(model: string): string | undefined {
  const candidate = looksLikePath(model) ? path.resolve(expandHome(model)) : model;
  return isDirectory(candidate) ? candidate : undefined;
}

/**
 * One name of a hub id (the org or the repository), by Hugging Face's repo-id rules
 * (huggingface_hub's `validate_repo_id`): 1 to 96 ASCII letters, digits, `_`, `-` or `.`,
 * starting and ending with a letter, digit or `_`. The whole id also may not contain `--` or
 * `..` nor end in `.git`; see `hubIdProblem`.
 */
const hubNamePattern = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;

/** What an id looks like, for messages. */
const hubIdShape =
  'A Hugging Face id is org/name (e.g. cross-encoder/ms-marco-MiniLM-L-6-v2): two names of 1 to 96 letters, digits, "_", "-" or ".", each starting and ending with a letter, digit or "_", with no "--" or ".."';

/**
 * Why `model` is not a hub id of the form `org/name` that is safe to use as `<cache>/<org>/<name>`,
 * or undefined when it is one. Checked before the models directory, the cache or the hub is
 * touched, so an id like `a/..` can never name a folder outside them.
 */
export function hubIdProblem(model: string): string | undefined {
  const names = model.split("/");
  if (names.length !== 2) return names.length === 1 ? "it has no org (no \"/\")" : `it has ${names.length - 1} "/" where an id has one`;
  for (const name of names) {
    if (name.length === 0) return "it has an empty name";
    if (name.length > 96) return `the name "${name.slice(0, 40)}…" is ${name.length} characters long, longer than 96`;
    if (!hubNamePattern.test(name)) {
      return /^[A-Za-z0-9_.-]*$/.test(name) ? `the name "${name}" starts or ends with "-" or "."` : `the name "${name}" has a character other than letters, digits, "_", "-" and "."`;
    }
  }
  if (model.includes("--") || model.includes("..")) return 'it contains "--" or ".."';
  if (model.endsWith(".git")) return 'it ends in ".git"';
  return undefined;
}

/** A model given as a path rather than a hub id: absolute, explicitly relative, or `~`. */
function looksLikePath(model: string): boolean {
  return path.isAbsolute(model) || model.startsWith("./") || model.startsWith("../") || model.startsWith("~") || model === ".";
}

function expandHome(model: string): string {
  return model.startsWith("~") ? path.join(os.homedir(), model.slice(1)) : model;
}

/** A relative directory is taken for a model directory (not a hub id) when it holds the layout's first file. */
function holdsLayout(directory: string, layout: ModelLayout): boolean {
  const first = layout.requiredFiles[0];
  return first === undefined ? findWeightsFile(directory, layout) !== undefined : existsSync(path.join(directory, first));
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
  const { model, layout } = settings;
  const searched: string[] = [];

  const explicit = looksLikePath(model) ? path.resolve(expandHome(model)) : isDirectory(model) && holdsLayout(model, layout) ? path.resolve(model) : undefined;
  if (explicit !== undefined) {
    const missing = isDirectory(explicit) ? missingModelFiles(explicit, layout) : ["the directory itself"];
    if (missing.length === 0) return complete(model, explicit, layout, "directory");
    throw new OpenRerankError(
      "model_not_found",
      `model directory ${explicit} is missing ${missing.join(", ")} for ${layout.variant}. ${layout.description}`,
      { model, directory: explicit, missing, variant: layout.variant },
    );
  }

  const problem = hubIdProblem(model);
  if (problem !== undefined) {
    throw new OpenRerankError("model_not_found", `model "${model}" is neither a directory nor a Hugging Face id: ${problem}. ${hubIdShape}; a directory is given as a path (./models/name, /abs/path).`, {
      model,
    });
  }

  for (const [source, root] of [["models-dir", settings.modelsDir], ["cache", settings.cacheDir]] as const) {
    if (root === undefined) continue;
    const directory = path.resolve(root, model);
    searched.push(`${directory} (${source === "models-dir" ? "models directory" : "download cache"})`);
    if (isDirectory(directory) && missingModelFiles(directory, layout).length === 0) return complete(model, directory, layout, source);
  }

  if (settings.offline) {
    throw notFound(model, layout, searched, "offline mode is on (--offline / OPENRERANK_OFFLINE=1), so the hub was not contacted");
  }
  const directory = path.resolve(settings.cacheDir, model);
  searched.push(`${settings.hub.endpoint.replace(/\/+$/, "")}/${model} (Hugging Face hub, revision ${settings.hub.revision})`);
  await downloadModel(settings, directory, searched);
  return complete(model, directory, layout, "hub");
}

/** What is missing from a candidate model directory, or an empty list when it is complete for the layout. */
export function missingModelFiles(directory: string, layout: ModelLayout): string[] {
  const missing = layout.requiredFiles.filter((file) => !existsSync(path.join(directory, file)));
  if (findWeightsFile(directory, layout) === undefined) missing.push(layout.weightsCandidates[0]);
  return missing;
}

/** The layout's weights file inside `directory`, relative to it, or undefined. */
export function findWeightsFile(directory: string, layout: ModelLayout): string | undefined {
  return layout.weightsCandidates.find((candidate) => existsSync(path.join(directory, candidate)));
}

function complete(id: string, directory: string, layout: ModelLayout, source: ModelSource): ResolvedModel {
  const weightsFile = findWeightsFile(directory, layout);
  if (weightsFile === undefined) throw new Error(`internal: ${directory} was checked complete but has no weights for ${layout.variant}. This is a bug.`);
  return { id, directory, weightsFile, source };
}

async function downloadModel(settings: ModelLocationSettings, directory: string, searched: string[]): Promise<void> {
  const { model, hub, progress, layout } = settings;
  for (const file of layout.requiredFiles) {
    if (existsSync(path.join(directory, file))) continue;
    if (!(await downloadHubFile(hub, model, file, path.join(directory, file), progress))) {
      throw notFound(model, layout, searched, `the hub has no ${file} for ${model}`);
    }
  }
  for (const file of layout.optionalFiles) {
    if (!existsSync(path.join(directory, file))) await downloadHubFile(hub, model, file, path.join(directory, file), progress);
  }
  if (findWeightsFile(directory, layout) !== undefined) return;
  for (const candidate of layout.hubWeightsCandidates) {
    if (await downloadWeights(settings, directory, candidate)) return;
  }
  throw notFound(model, layout, searched, `the hub repository ${model} has no weights for ${layout.variant} (tried ${layout.hubWeightsCandidates.join(", ")}); pick another variant or a repository that publishes one`);
}

/**
 * Downloads one weights file and, when the repository has them, its companions (ONNX's
 * `model.onnx_data`: exports over protobuf's 2 GB limit keep their weights there). The weights
 * file takes its final name last, so a cache directory holding `model.onnx` always holds its
 * data too, and an interrupted download is redone rather than half-loaded.
 */
async function downloadWeights(settings: ModelLocationSettings, directory: string, file: string): Promise<boolean> {
  const { model, hub, progress, layout } = settings;
  const destination = path.join(directory, file);
  const staged = `${destination}.incomplete`;
  if (!(await downloadHubFile(hub, model, file, staged, progress))) return false;
  for (const suffix of layout.weightsCompanionSuffixes) await downloadHubFile(hub, model, `${file}${suffix}`, `${destination}${suffix}`, progress);
  await rename(staged, destination);
  return true;
}

function notFound(model: string, layout: ModelLayout, searched: string[], reason: string): OpenRerankError {
  const files = [...layout.requiredFiles, layout.weightsCandidates[0]].join(", ");
  return new OpenRerankError(
    "model_not_found",
    `model ${model} (${layout.variant}) was not found: ${reason}. Searched: ${searched.join("; ")}. ` +
      `To obtain it, run once with network access (it downloads into the cache), or copy its files (${files}) into <models-dir>/${model}/ and pass --models-dir or OPENRERANK_MODELS_DIR.`,
    { model, variant: layout.variant, searched },
  );
}
