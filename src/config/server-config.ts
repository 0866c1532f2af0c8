import { readFileSync } from "node:fs";
import path from "node:path";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { parse as parseYaml } from "yaml";
import { OpenRerankError } from "../errors/catalog.js";
import { defaultBatchLimits } from "../inference/batching/batch-scheduler.js";
import { dtypes, parseDtype, type Dtype } from "../inference/model-resolution/onnx-variants.js";
import { readModelSourceDefaults } from "./model-source-defaults.js";

/** Served when no model is configured anywhere; downloads from the hub on first start. */
export const defaultModelId = "Xenova/ms-marco-MiniLM-L-6-v2";

/** One served model: its id (hub id or directory), the other names clients may use for it, and an optional dtype of its own. */
export interface ModelSpec {
  id: string;
  aliases: string[];
  dtype?: Dtype;
}

const ModelEntrySchema = Type.Union([
  Type.String({ description: 'A hub id or directory, optionally with aliases: "org/name=alias1,alias2".' }),
  Type.Object(
    {
      id: Type.String({ description: "Hugging Face id (org/name) or a model directory." }),
      aliases: Type.Optional(Type.Array(Type.String(), { description: "Other names clients may request the model by, e.g. rerank-v3.5." })),
      dtype: Type.Optional(Type.Union(dtypes.map((dtype) => Type.Literal(dtype)), { description: "This model's ONNX variant; overrides the server-wide dtype." })),
    },
    { additionalProperties: false },
  ),
]);

/**
 * Every server setting, as a config file (JSON or YAML) writes it. Each one is also an
 * environment variable and a flag (see `settingSources`); precedence is
 * defaults < file < environment < flags.
 */
export const ServerSettingsSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ description: "Interface to listen on. Default 0.0.0.0 (all); 127.0.0.1 keeps the server local." })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: "TCP port. Default 8080; 0 picks a free port." })),
    models: Type.Optional(Type.Array(ModelEntrySchema, { description: `Models to serve, with aliases. Default: ${defaultModelId}.` })),
    modelsDir: Type.Optional(Type.String({ description: "Directory of <org>/<name>/ model folders, searched before the download cache." })),
    cacheDir: Type.Optional(Type.String({ description: "Download cache. Default $XDG_CACHE_HOME/openrerank or ~/.cache/openrerank." })),
    dtype: Type.Optional(Type.Union(dtypes.map((dtype) => Type.Literal(dtype)), { description: "ONNX variant: fp32 (default, exact), int8 (about 2-3x faster on CPU, slightly different scores), fp16, q4." })),
    threads: Type.Optional(Type.Integer({ minimum: 1, description: "ONNX Runtime intra-op threads per model. Default: all cores. Fewer threads per model leave cores for tokenization and HTTP." })),
    offline: Type.Optional(Type.Boolean({ description: "Never touch the network: models must be in modelsDir or the cache." })),
    apiKeys: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Accepted API keys (Authorization: Bearer <key>). None: the API is open." })),
    apiKeysFile: Type.Optional(Type.String({ description: "File of API keys, one per line (# comments allowed); added to apiKeys." })),
    metricsAuth: Type.Optional(Type.Boolean({ description: "Whether GET /metrics needs an API key when keys are set. Default true." })),
    requestTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: "A rerank request still running after this many milliseconds ends with 504 request_timeout and its queued pairs are dropped. Default 30000." })),
    bodyLimit: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String()], { description: 'Largest accepted request body, in bytes or with a unit ("32mb", binary units). Larger bodies get 413. Default 32mb.' })),
    maxDocuments: Type.Optional(Type.Integer({ minimum: 1, description: "Most documents one request may send. Default 10000." })),
    maxBatchTokens: Type.Optional(Type.Integer({ minimum: 1, description: `Token budget of one model batch (pairs x padded length). Larger batches raise throughput and latency. Default ${defaultBatchLimits.maxBatchTokens}.` })),
    maxBatchSize: Type.Optional(Type.Integer({ minimum: 1, description: `Most pairs in one model batch. Default ${defaultBatchLimits.maxBatchSize}.` })),
    maxQueuedPairs: Type.Optional(Type.Integer({ minimum: 1, description: `Pairs admitted and not yet answered per model; beyond it requests get 429 with Retry-After at once instead of queueing without bound. Default ${defaultBatchLimits.maxQueuedPairs}.` })),
    shutdownTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: "On SIGTERM/SIGINT, how long in-flight requests may drain before the process exits anyway. Default 25000." })),
    logLevel: Type.Optional(Type.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => Type.Literal(level)), { description: "pino log level. Default info." })),
  },
  { additionalProperties: false },
);

export type ServerSettings = Static<typeof ServerSettingsSchema>;

/** The server's configuration after every source is merged and checked; passed explicitly, never read from globals. */
export interface ServerConfig {
  host: string;
  port: number;
  models: ModelSpec[];
  modelSource: { modelsDir?: string; cacheDir: string; offline: boolean; hubEndpoint: string; hubToken?: string };
  dtype: Dtype;
  threads?: number;
  /** Never empty when authentication is on; empty means the API is open. */
  apiKeys: string[];
  metricsAuth: boolean;
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  maxDocuments: number;
  batchLimits: { maxBatchTokens: number; maxBatchSize: number; maxQueuedPairs: number };
  shutdownTimeoutMs: number;
  logLevel: string;
}

/** Flags as the `serve` command receives them: strings as typed, repeatable flags as lists. */
export interface ServerFlags {
  config?: string;
  host?: string;
  port?: string;
  model?: string[];
  modelsDir?: string;
  cacheDir?: string;
  dtype?: string;
  threads?: string;
  offline?: boolean;
  apiKey?: string[];
  apiKeysFile?: string;
  metricsAuth?: boolean;
  requestTimeoutMs?: string;
  bodyLimit?: string;
  maxDocuments?: string;
  maxBatchTokens?: string;
  maxBatchSize?: string;
  maxQueuedPairs?: string;
  shutdownTimeoutMs?: string;
  logLevel?: string;
}

type SettingKey = keyof ServerSettings;

/** How each setting is written as an environment variable, and how its text is read. */
export const settingSources: { [K in SettingKey]-?: { env: string; parse: (text: string, source: string) => ServerSettings[K] } } = {
  host: { env: "OPENRERANK_HOST", parse: (text) => text },
  port: { env: "OPENRERANK_PORT", parse: (text, source) => parseInteger(text, source, 0, 65535) },
  models: { env: "OPENRERANK_MODELS", parse: (text) => text.split(/[;\s]+/).filter((entry) => entry.length > 0) },
  modelsDir: { env: "OPENRERANK_MODELS_DIR", parse: (text) => text },
  cacheDir: { env: "OPENRERANK_CACHE_DIR", parse: (text) => text },
  dtype: { env: "OPENRERANK_DTYPE", parse: (text, source) => parseDtype(text, source) },
  threads: { env: "OPENRERANK_THREADS", parse: (text, source) => parseInteger(text, source, 1) },
  offline: { env: "OPENRERANK_OFFLINE", parse: parseBoolean },
  apiKeys: { env: "OPENRERANK_API_KEYS", parse: (text) => splitList(text, ",") },
  apiKeysFile: { env: "OPENRERANK_API_KEYS_FILE", parse: (text) => text },
  metricsAuth: { env: "OPENRERANK_METRICS_AUTH", parse: parseBoolean },
  requestTimeoutMs: { env: "OPENRERANK_REQUEST_TIMEOUT_MS", parse: (text, source) => parseInteger(text, source, 1) },
  bodyLimit: { env: "OPENRERANK_BODY_LIMIT", parse: (text) => text },
  maxDocuments: { env: "OPENRERANK_MAX_DOCUMENTS", parse: (text, source) => parseInteger(text, source, 1) },
  maxBatchTokens: { env: "OPENRERANK_MAX_BATCH_TOKENS", parse: (text, source) => parseInteger(text, source, 1) },
  maxBatchSize: { env: "OPENRERANK_MAX_BATCH_SIZE", parse: (text, source) => parseInteger(text, source, 1) },
  maxQueuedPairs: { env: "OPENRERANK_MAX_QUEUED_PAIRS", parse: (text, source) => parseInteger(text, source, 1) },
  shutdownTimeoutMs: { env: "OPENRERANK_SHUTDOWN_TIMEOUT_MS", parse: (text, source) => parseInteger(text, source, 0) },
  logLevel: { env: "OPENRERANK_LOG_LEVEL", parse: (text, source) => parseLogLevel(text, source) },
};

/** Environment variable naming a config file (the `--config` flag wins). */
export const configFileEnv = "OPENRERANK_CONFIG";

const defaults = {
  host: "0.0.0.0",
  port: 8080,
  dtype: "fp32",
  metricsAuth: true,
  requestTimeoutMs: 30_000,
  bodyLimit: "32mb",
  maxDocuments: 10_000,
  shutdownTimeoutMs: 25_000,
  logLevel: "info",
  ...defaultBatchLimits,
} satisfies ServerSettings;

/**
 * Resolves the server configuration once, at startup: defaults < config file (`--config` or
 * `OPENRERANK_CONFIG`, JSON or YAML) < environment < flags. Every value is checked here, so
 * a typo fails at startup with the source named instead of at the first request.
 */
export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv): ServerConfig {
  const configFile = flags.config ?? (env[configFileEnv] || undefined);
  const fromFile = configFile === undefined ? {} : readServerConfigFile(configFile);
  const merged: ServerSettings = { ...defaults, ...definedOnly(fromFile), ...definedOnly(settingsFromEnv(env)), ...definedOnly(settingsFromFlags(flags)) };
  const modelSource = readModelSourceDefaults(env);
  const apiKeys = [...(merged.apiKeys ?? []), ...(merged.apiKeysFile === undefined ? [] : readApiKeysFile(merged.apiKeysFile))];
  const models = (merged.models ?? []).map((entry) => (typeof entry === "string" ? parseModelSpec(entry) : { id: entry.id, aliases: entry.aliases ?? [], ...(entry.dtype ? { dtype: entry.dtype } : {}) }));
  return {
    host: merged.host ?? defaults.host,
    port: merged.port ?? defaults.port,
    models: checkModelNames(models.length > 0 ? models : [{ id: defaultModelId, aliases: [] }]),
    modelSource: {
      modelsDir: merged.modelsDir,
      cacheDir: merged.cacheDir ?? modelSource.cacheDir,
      offline: merged.offline ?? modelSource.offline,
      hubEndpoint: modelSource.hubEndpoint,
      hubToken: modelSource.hubToken,
    },
    dtype: merged.dtype ?? "fp32",
    threads: merged.threads,
    apiKeys: [...new Set(apiKeys)],
    metricsAuth: merged.metricsAuth ?? defaults.metricsAuth,
    requestTimeoutMs: merged.requestTimeoutMs ?? defaults.requestTimeoutMs,
    bodyLimitBytes: parseByteSize(merged.bodyLimit ?? defaults.bodyLimit, "bodyLimit"),
    maxDocuments: merged.maxDocuments ?? defaults.maxDocuments,
    batchLimits: {
      maxBatchTokens: merged.maxBatchTokens ?? defaults.maxBatchTokens,
      maxBatchSize: merged.maxBatchSize ?? defaults.maxBatchSize,
      maxQueuedPairs: merged.maxQueuedPairs ?? defaults.maxQueuedPairs,
    },
    shutdownTimeoutMs: merged.shutdownTimeoutMs ?? defaults.shutdownTimeoutMs,
    logLevel: merged.logLevel ?? defaults.logLevel,
  };
}

/** Reads and checks a JSON or YAML config file (by extension; YAML is a superset of JSON, so anything else is read as YAML). */
export function readServerConfigFile(file: string): ServerSettings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new OpenRerankError("invalid_option", `config file ${file} cannot be read: ${(error as Error).message}`, { file }, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = path.extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new OpenRerankError("invalid_option", `config file ${file} is not valid ${path.extname(file) === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`, { file }, { cause: error });
  }
  const settings = parsed ?? {};
  const firstError = Value.Errors(ServerSettingsSchema, settings).First();
  if (firstError !== undefined) {
    const where = firstError.path === "" ? "the top level" : firstError.path.slice(1).replaceAll("/", ".");
    const known = Object.keys(ServerSettingsSchema.properties).join(", ");
    throw new OpenRerankError("invalid_option", `config file ${file}: ${where}: ${firstError.message} (known settings: ${known}).`, { file, path: firstError.path });
  }
  return settings as ServerSettings;
}

/**
 * Parses a model flag: `org/name`, a directory, or either followed by `=alias1,alias2`.
 * The first `=` separates the id from its aliases (ids and paths do not contain `=`).
 */
export function parseModelSpec(text: string): ModelSpec {
  const separator = text.indexOf("=");
  const id = (separator < 0 ? text : text.slice(0, separator)).trim();
  const aliases = separator < 0 ? [] : splitList(text.slice(separator + 1), ",");
  if (id.length === 0) throw new OpenRerankError("invalid_option", `model "${text}" has no id; write "org/name" or "org/name=alias1,alias2".`, { value: text });
  return { id, aliases };
}

/** Every id and alias must name exactly one model, or a request could not say which it meant. */
function checkModelNames(models: ModelSpec[]): ModelSpec[] {
  const owners = new Map<string, string>();
  for (const model of models) {
    for (const name of [model.id, ...model.aliases]) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new OpenRerankError("invalid_option", `model name "${name}" is given twice (to ${owner} and ${model.id}); each id and alias must name one served model.`, { name });
      }
      owners.set(name, model.id);
    }
  }
  return models;
}

function settingsFromEnv(env: NodeJS.ProcessEnv): ServerSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, source] of Object.entries(settingSources)) {
    const text = env[source.env];
    if (text !== undefined && text !== "") settings[key] = source.parse(text, source.env);
  }
  return settings as ServerSettings;
}

function settingsFromFlags(flags: ServerFlags): ServerSettings {
  const text = (value: string | undefined, key: SettingKey, flag: string) => (value === undefined ? undefined : settingSources[key].parse(value, flag));
  return {
    host: flags.host,
    port: text(flags.port, "port", "--port") as number | undefined,
    models: flags.model,
    modelsDir: flags.modelsDir,
    cacheDir: flags.cacheDir,
    dtype: text(flags.dtype, "dtype", "--dtype") as Dtype | undefined,
    threads: text(flags.threads, "threads", "--threads") as number | undefined,
    offline: flags.offline,
    apiKeys: flags.apiKey,
    apiKeysFile: flags.apiKeysFile,
    metricsAuth: flags.metricsAuth,
    requestTimeoutMs: text(flags.requestTimeoutMs, "requestTimeoutMs", "--request-timeout-ms") as number | undefined,
    bodyLimit: flags.bodyLimit,
    maxDocuments: text(flags.maxDocuments, "maxDocuments", "--max-documents") as number | undefined,
    maxBatchTokens: text(flags.maxBatchTokens, "maxBatchTokens", "--max-batch-tokens") as number | undefined,
    maxBatchSize: text(flags.maxBatchSize, "maxBatchSize", "--max-batch-size") as number | undefined,
    maxQueuedPairs: text(flags.maxQueuedPairs, "maxQueuedPairs", "--max-queued-pairs") as number | undefined,
    shutdownTimeoutMs: text(flags.shutdownTimeoutMs, "shutdownTimeoutMs", "--shutdown-timeout-ms") as number | undefined,
    logLevel: text(flags.logLevel, "logLevel", "--log-level") as ServerSettings["logLevel"],
  };
}

function definedOnly<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function readApiKeysFile(file: string): string[] {
  try {
    return readFileSync(file, "utf8")
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith("#"));
  } catch (error) {
    throw new OpenRerankError("invalid_option", `API keys file ${file} cannot be read: ${(error as Error).message}`, { file }, { cause: error });
  }
}

function splitList(text: string, separator: string): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function parseInteger(text: string, source: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `an integer >= ${minimum}` : `an integer from ${minimum} to ${maximum}`;
    throw new OpenRerankError("invalid_option", `${source} "${text}" is not ${range}.`, { field: source, value: text });
  }
  return value;
}

function parseBoolean(text: string, source: string): boolean {
  const lower = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(lower)) return true;
  if (["0", "false", "no", "off"].includes(lower)) return false;
  throw new OpenRerankError("invalid_option", `${source} "${text}" is not a boolean; use true or false.`, { field: source, value: text });
}

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function parseLogLevel(text: string, source: string): ServerSettings["logLevel"] {
  if ((logLevels as readonly string[]).includes(text)) return text as ServerSettings["logLevel"];
  throw new OpenRerankError("invalid_option", `${source} "${text}" is not a log level; use one of ${logLevels.join(", ")}.`, { field: source, value: text });
}

const byteUnits: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** Bytes from a number or a size with a binary unit: 1048576, "512kb", "32mb", "1gib". */
export function parseByteSize(value: number | string, source: string): number {
  if (typeof value === "number") return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? byteUnits[match[2].toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new OpenRerankError("invalid_option", `${source} "${value}" is not a size; write bytes or a number with kb, mb or gb (binary units), e.g. 32mb.`, { field: source, value });
  }
  return bytes;
}
