import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Value } from "@sinclair/typebox/value";
import { parse as parseYaml } from "yaml";
import type { Dtype } from "../backends/cross-encoder-onnx/onnx-layout.js";
import { OpenRerankError } from "../errors/catalog.js";
import { parseBoolean, parseByteSize } from "./parse-values.js";
import {
  configFileSetting,
  defaultModelId,
  flagAttribute,
  parseModelSpec,
  ServerSettingsSchema,
  settingRows,
  type Environment,
  type ModelEntry,
  type ServerFlags,
  type ServerSettings,
  type SettingKey,
  type SettingRow,
} from "./settings.js";

/**
 * Resolves settings: defaults < config file < environment < flags, every value checked here so
 * a typo fails at startup naming its source. This is the only module of src/ that reads
 * `process.env` (OPENRERANK_*, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, XDG_CACHE_HOME); the
 * library and the server take the result as explicit options.
 */

/** One served model: its id (hub id or directory), the other names clients may use for it, and optional settings of its own. */
export interface ModelSpec {
  id: string;
  aliases: string[];
  dtype?: Dtype;
  /** A backend registry name, e.g. `cross-encoder-onnx`; picked from the model's files when absent. */
  backend?: string;
  /** The backend's own options (its `optionsSchema`). */
  options?: Record<string, unknown>;
}

/** Where models come from: a local folder tree, the download cache, and the hub. */
export interface ModelSourceSettings {
  modelsDir?: string;
  cacheDir: string;
  offline: boolean;
  hub: { endpoint: string; token?: string; revision: string };
}

/** The server's configuration after every source is merged and checked; passed explicitly, never read from globals. */
export interface ServerConfig {
  host: string;
  port: number;
  models: ModelSpec[];
  modelSource: ModelSourceSettings;
  dtype: Dtype;
  threads?: number;
  /** Never empty when authentication is on; empty means the API is open. */
  apiKeys: string[];
  metricsAuth: boolean;
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  maxDocuments: number;
  batchLimits: { maxBatchTokens: number; maxBatchSize: number; maxQueuedPairs: number };
  /** Most scored windows one request may need. */
  maxWindowsPerRequest: number;
  /** Most model tokens one request may need. */
  maxTokensPerRequest: number;
  shutdownTimeoutMs: number;
  logLevel: string;
}

/** What the CLI's rerank and eval commands load a model with. */
export interface ModelSettings {
  modelSource: ModelSourceSettings;
  dtype: Dtype;
  threads?: number;
}

/** A value and where it came from: `default`, `--port`, `OPENRERANK_PORT`, `config file x.yaml: port`. */
interface Sourced {
  value: unknown;
  source: string;
}
type Layer = Partial<Record<SettingKey, Sourced>>;

/**
 * The server configuration: defaults < config file (`--config`, else `OPENRERANK_CONFIG`;
 * JSON or YAML) < environment < flags.
 */
export function loadServerConfig(flags: ServerFlags = {}, env: Environment = process.env): ServerConfig {
  const configFile = flags.config ?? (env[configFileSetting.env] || undefined);
  const merged = mergeLayers([
    defaultsLayer(settingRows, env),
    configFile === undefined ? {} : fileLayer(configFile, readServerConfigFile(configFile)),
    envLayer(settingRows, env),
    flagsLayer(settingRows, flags),
  ]);
  const get = <K extends SettingKey>(key: K) => merged[key]?.value as ServerSettings[K];
  const source = (key: SettingKey) => merged[key]?.source ?? "default";

  const apiKeysFile = get("apiKeysFile");
  const apiKeys = [...(get("apiKeys") ?? []), ...(apiKeysFile === undefined ? [] : readApiKeysFile(apiKeysFile, source("apiKeysFile")))];
  const entries = get("models") ?? [];
  const models = (entries.length > 0 ? entries : [defaultModelId]).map((entry) => toModelSpec(entry, source("models")));
  const model = modelSettingsFrom(merged);
  return {
    host: get("host") as string,
    port: get("port") as number,
    models: checkModelNames(models, source("models")),
    modelSource: model.modelSource,
    dtype: model.dtype,
    ...(model.threads === undefined ? {} : { threads: model.threads }),
    apiKeys: [...new Set(apiKeys)],
    metricsAuth: get("metricsAuth") as boolean,
    requestTimeoutMs: get("requestTimeoutMs") as number,
    bodyLimitBytes: parseByteSize(get("bodyLimit") as string | number, source("bodyLimit")),
    maxDocuments: get("maxDocuments") as number,
    batchLimits: {
      maxBatchTokens: get("maxBatchTokens") as number,
      maxBatchSize: get("maxBatchSize") as number,
      maxQueuedPairs: get("maxQueuedPairs") as number,
    },
    maxWindowsPerRequest: get("maxWindowsPerRequest") as number,
    maxTokensPerRequest: get("maxTokensPerRequest") as number,
    shutdownTimeoutMs: get("shutdownTimeoutMs") as number,
    logLevel: get("logLevel") as string,
  };
}

/**
 * How the CLI's `rerank` and `eval` load a model: the model-source rows of the table
 * (models dir, cache, offline, revision, hub endpoint and token, dtype, threads), defaults <
 * environment < flags. No config file.
 */
export function loadModelSettings(flags: ServerFlags = {}, env: Environment = process.env): ModelSettings {
  const rows = settingRows.filter((row) => row.scope === "model");
  return modelSettingsFrom(mergeLayers([defaultsLayer(rows, env), envLayer(rows, env), flagsLayer(rows, flags)]));
}

/** Where models come from, from the environment (HF_ENDPOINT, HF_TOKEN, OPENRERANK_*) with `overrides` (flags) on top. */
export function loadModelSourceSettings(overrides: ServerFlags = {}, env: Environment = process.env): ModelSourceSettings {
  return loadModelSettings(overrides, env).modelSource;
}

/** Reads and checks a JSON or YAML config file (by extension; YAML is a superset of JSON, so anything else is read as YAML). */
export function readServerConfigFile(file: string): ServerSettings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new OpenRerankError("invalid_option", `config file ${file} cannot be read: ${(error as Error).message}`, { file }, { cause: error });
  }
  const isJson = path.extname(file).toLowerCase() === ".json";
  let parsed: unknown;
  try {
    parsed = isJson ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new OpenRerankError("invalid_option", `config file ${file} is not valid ${isJson ? "JSON" : "YAML"}: ${(error as Error).message}`, { file }, { cause: error });
  }
  const settings = parsed ?? {};
  if (typeof settings === "object" && !Array.isArray(settings)) {
    // A string goes through the same parser as the environment's text: the message then says what is allowed.
    for (const [key, value] of Object.entries(settings)) {
      const row = settingRows.find((candidate) => candidate.key === key);
      if (row !== undefined && typeof value === "string" && row.parseItem === undefined) row.parse(value, fileSource(file, key));
    }
  }
  const firstError = Value.Errors(ServerSettingsSchema, settings).First();
  if (firstError !== undefined) {
    const where = firstError.path === "" ? "the top level" : firstError.path.slice(1).replaceAll("/", ".");
    const known = Object.keys(ServerSettingsSchema.properties).join(", ");
    throw new OpenRerankError("invalid_option", `config file ${file}: ${where}: ${firstError.message} (known settings: ${known}).`, { file, path: firstError.path });
  }
  return settings as ServerSettings;
}

export const redacted = "<redacted>";

/** The configuration with every secret of the table (API keys, hub token) replaced, for logs and `serve --print-config`. */
export function redactServerConfig(config: ServerConfig): ServerConfig {
  const { hub } = config.modelSource;
  return {
    ...config,
    apiKeys: config.apiKeys.map(() => redacted),
    modelSource: { ...config.modelSource, hub: { ...hub, ...(hub.token === undefined ? {} : { token: redacted }) } },
  };
}

// ---- Layers --------------------------------------------------------------------------

function defaultsLayer(rows: readonly (SettingRow & { key: SettingKey })[], env: Environment): Layer {
  const layer: Layer = {};
  for (const row of rows) {
    const value = row.computeDefault ? row.computeDefault({ env, homedir: os.homedir() }) : row.default;
    if (value !== undefined) layer[row.key] = { value, source: "default" };
  }
  return layer;
}

function fileLayer(file: string, settings: ServerSettings): Layer {
  const layer: Layer = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) layer[key as SettingKey] = { value, source: fileSource(file, key) };
  }
  return layer;
}

function envLayer(rows: readonly (SettingRow & { key: SettingKey })[], env: Environment): Layer {
  const layer: Layer = {};
  for (const row of rows) {
    for (const name of [row.env, ...(row.envFallbacks ?? [])]) {
      const text = name === undefined ? undefined : env[name];
      if (name === undefined || text === undefined || text === "") continue;
      layer[row.key] = { value: row.parse(text, name), source: name };
      break;
    }
  }
  return layer;
}

const knownFlagAttributes = new Set(["config", ...settingRows.flatMap((row) => (row.flag ? [flagAttribute(row.flag)] : []))]);

function flagsLayer(rows: readonly (SettingRow & { key: SettingKey })[], flags: ServerFlags): Layer {
  const given = flags as Record<string, unknown>;
  for (const [attribute, value] of Object.entries(given)) {
    if (value !== undefined && !knownFlagAttributes.has(attribute)) {
      throw new OpenRerankError("invalid_option", `"${attribute}" is not a settings flag; known: ${[...knownFlagAttributes].join(", ")}.`, { field: attribute });
    }
  }
  const layer: Layer = {};
  for (const row of rows) {
    if (row.flag === undefined) continue;
    const value = given[flagAttribute(row.flag)];
    if (value === undefined) continue;
    const flag = row.flag.name;
    switch (row.flag.kind) {
      case "value":
        layer[row.key] = { value: row.parse(String(value), flag), source: flag };
        break;
      case "list": {
        const items = Array.isArray(value) ? value : [value];
        const parseItem = row.parseItem ?? row.parse;
        layer[row.key] = { value: items.map((item) => parseItem(String(item), flag)), source: flag };
        break;
      }
      case "switch":
      case "negated-switch":
        layer[row.key] = { value: typeof value === "boolean" ? value : parseBoolean(String(value), flag), source: flag };
        break;
    }
  }
  return layer;
}

/** Later layers win, setting by setting. */
function mergeLayers(layers: Layer[]): Layer {
  return Object.assign({}, ...layers) as Layer;
}

function fileSource(file: string, key: string): string {
  return `config file ${file}: ${key}`;
}

// ---- Conversions ---------------------------------------------------------------------

function modelSettingsFrom(merged: Layer): ModelSettings {
  const get = <K extends SettingKey>(key: K) => merged[key]?.value as ServerSettings[K];
  const modelsDir = get("modelsDir");
  const token = get("hubToken");
  const threads = get("threads");
  return {
    modelSource: {
      ...(modelsDir === undefined ? {} : { modelsDir }),
      cacheDir: get("cacheDir") as string,
      offline: get("offline") as boolean,
      hub: { endpoint: get("hubEndpoint") as string, ...(token === undefined ? {} : { token }), revision: get("revision") as string },
    },
    dtype: get("dtype") as Dtype,
    ...(threads === undefined ? {} : { threads }),
  };
}

function toModelSpec(entry: ModelEntry, source: string): ModelSpec {
  if (typeof entry === "string") return parseModelSpec(entry, source);
  return {
    id: entry.id,
    aliases: entry.aliases ?? [],
    ...(entry.dtype === undefined ? {} : { dtype: entry.dtype }),
    ...(entry.backend === undefined ? {} : { backend: entry.backend }),
    ...(entry.options === undefined ? {} : { options: entry.options }),
  };
}

/** Every id and alias must name exactly one model, or a request could not say which it meant. */
function checkModelNames(models: ModelSpec[], source: string): ModelSpec[] {
  const owners = new Map<string, string>();
  for (const model of models) {
    for (const name of [model.id, ...model.aliases]) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new OpenRerankError("invalid_option", `model name "${name}" is given twice (to ${owner} and ${model.id}) in ${source}; each id and alias must name one served model.`, { field: source, name });
      }
      owners.set(name, model.id);
    }
  }
  return models;
}

function readApiKeysFile(file: string, source: string): string[] {
  try {
    return readFileSync(file, "utf8")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith("#"));
  } catch (error) {
    throw new OpenRerankError("invalid_option", `API keys file ${file} (${source}) cannot be read: ${(error as Error).message}`, { field: source, file }, { cause: error });
  }
}

export { configFileSetting, defaultModelId, parseModelSpec, ServerSettingsSchema, settingRows, settings } from "./settings.js";
export type { Environment, ServerFlags, ServerSettings, SettingKey } from "./settings.js";
export { parseByteSize } from "./parse-values.js";
