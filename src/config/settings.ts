import { CloneType, Type, type Static, type TOptional, type TSchema } from "@sinclair/typebox";
import path from "node:path";
import { dtypes, parseDtype } from "../backends/cross-encoder-onnx/onnx-layout.js";
import { OpenRerankError } from "../errors/catalog.js";
import { defaultBatchLimits } from "../inference/batching/batch-scheduler.js";
import { defaultCacheDir, defaultHubEndpoint } from "../inference/model-resolution/resolve-model.js";
import { parseBoolean, parseByteSize, parseChoice, parseHttpUrl, parseInteger, splitList } from "./parse-values.js";

/**
 * THE settings table. Every server and model-source setting is one row here: its config-file
 * key (the row's key), flag, environment variable, default, documentation, parser and whether
 * it is a secret. Everything else is derived from it:
 *
 * - the config-file schema (`ServerSettingsSchema`) and its type (`ServerSettings`);
 * - the flags of `openrerank serve` and the shared model flags of `rerank` and `eval`, with
 *   their `--help` text (`cli/setting-flags.ts`, `cli/model-options.ts`);
 * - the Configuration table of docs/api.md and config/server.example.yaml
 *   (`settings-docs.ts`, written by `npm run docs:settings`);
 * - the loader (`load-settings.ts`): defaults < config file < environment < flags.
 *
 * Nothing here reads `process.env`; `load-settings.ts` passes the environment in.
 */

/** Environment variables as a plain map (`process.env` or a test's object). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** How a setting is written on the command line. */
export type FlagSpec =
  /** `--port <port>`: one value (text, parsed by the row). */
  | { readonly name: `--${string}`; readonly kind: "value"; readonly argument: string }
  /** `--model <id>`, repeatable: a list, one item per use. */
  | { readonly name: `--${string}`; readonly kind: "list"; readonly argument: string }
  /** `--offline`: sets true. */
  | { readonly name: `--${string}`; readonly kind: "switch" }
  /** `--no-metrics-auth`: sets false. */
  | { readonly name: `--no-${string}`; readonly kind: "negated-switch" };

/** What a computed default may look at; `load-settings.ts` supplies it. */
export interface DefaultContext {
  env: Environment;
  homedir: string;
}

type ListItem<T> = T extends readonly (infer Item)[] ? Item : never;

export interface SettingRow<S extends TSchema = TSchema, F extends FlagSpec | undefined = FlagSpec | undefined> {
  /** `model`: also a flag of `rerank` and `eval` (where a model comes from and how it runs); `server`: `serve` only. */
  readonly scope: "server" | "model";
  /** One line for `--help`, the docs table, the example file and the schema. */
  readonly doc: string;
  /** The value as a config file writes it. */
  readonly schema: S;
  readonly flag?: F;
  readonly env?: string;
  /** Variables read when `env` is unset, first set one wins (e.g. HF_HUB_OFFLINE). */
  readonly envFallbacks?: readonly string[];
  /** How the environment writes a list, e.g. `comma-separated`. */
  readonly envFormat?: string;
  /** The default, where it is a fixed value. */
  readonly default?: Static<S>;
  /** The default, where it depends on the environment (e.g. XDG_CACHE_HOME). */
  readonly computeDefault?: (context: DefaultContext) => Static<S>;
  /** How help and docs state the default when it is not a fixed value (or reads better in words). */
  readonly defaultText?: string;
  /** What the example file writes: commented out when the row has no fixed default; else it must mean the default. */
  readonly example?: Static<S>;
  /** Text from the environment or a flag; throws `invalid_option` naming `source`, the value and what is allowed. */
  readonly parse: (text: string, source: string) => Static<S>;
  /** List rows: one flag value (flags repeat where the environment separates). */
  readonly parseItem?: (text: string, source: string) => ListItem<Static<S>>;
  /** Never printed as a default, never echoed in messages, redacted wherever settings are shown. */
  readonly secret?: boolean;
}

function setting<S extends TSchema, const F extends FlagSpec | undefined = undefined>(row: SettingRow<S, F>): SettingRow<S, F> {
  return row;
}

/** Served when no model is configured anywhere; downloads from the hub on first start. */
export const defaultModelId = "Xenova/ms-marco-MiniLM-L-6-v2";


export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const dtypeSchema = Type.Union(dtypes.map((dtype) => Type.Literal(dtype)));

/** One entry of `models`: a string ("org/name=alias1,alias2") or an object. */
export const ModelEntrySchema = Type.Union([
  Type.String({ description: 'A hub id or directory, optionally with aliases: "org/name=alias1,alias2".' }),
  Type.Object(
    {
      id: Type.String({ description: "Hugging Face id (org/name) or a model directory." }),
      aliases: Type.Optional(Type.Array(Type.String(), { description: "Other names clients may request the model by, e.g. rerank-v3.5." })),
      dtype: Type.Optional(Type.Union(dtypes.map((dtype) => Type.Literal(dtype)), { description: "This model's weights variant; overrides the server-wide dtype." })),
      backend: Type.Optional(Type.String({ description: "The backend that serves it (a registry name, e.g. cross-encoder-onnx). Default: picked from the model's files." })),
      options: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "The backend's own options." })),
    },
    { additionalProperties: false },
  ),
]);
export type ModelEntry = Static<typeof ModelEntrySchema>;

/**
 * A `--model` value: `org/name`, a directory, or either followed by `=alias1,alias2`. The first
 * `=` separates the id from its aliases (ids and paths do not contain `=`).
 */
export function parseModelSpec(text: string, source = "model"): { id: string; aliases: string[] } {
  const separator = text.indexOf("=");
  const id = (separator < 0 ? text : text.slice(0, separator)).trim();
  const aliases = separator < 0 ? [] : splitList(text.slice(separator + 1), ",");
  if (id.length === 0) throw new OpenRerankError("invalid_option", `${source} "${text}" has no id; write "org/name" or "org/name=alias1,alias2".`, { field: source, value: text });
  return { id, aliases };
}

const integer = (min: number, max?: number) => (text: string, source: string) => parseInteger(text, source, { min, max });
const text = (value: string) => value;
const nonEmpty = (value: string, source: string) => {
  if (value.trim() === "") throw new OpenRerankError("invalid_option", `${source} is empty.`, { field: source });
  return value;
};

export const settings = {
  host: setting({
    scope: "server",
    doc: "interface to listen on (0.0.0.0: all; 127.0.0.1 keeps the server local)",
    schema: Type.String(),
    flag: { name: "--host", kind: "value", argument: "<host>" },
    env: "OPENRERANK_HOST",
    default: "0.0.0.0",
    parse: nonEmpty,
  }),
  port: setting({
    scope: "server",
    doc: "TCP port (0 picks a free port)",
    schema: Type.Integer({ minimum: 0, maximum: 65535 }),
    flag: { name: "--port", kind: "value", argument: "<port>" },
    env: "OPENRERANK_PORT",
    default: 8080,
    parse: integer(0, 65535),
  }),
  models: setting({
    scope: "server",
    doc: 'models to serve: a hub id (org/name) or a directory, each optionally with aliases ("org/name=alias1,alias2")',
    schema: Type.Array(ModelEntrySchema),
    flag: { name: "--model", kind: "list", argument: "<id[=alias,...]>" },
    env: "OPENRERANK_MODELS",
    envFormat: 'entries separated by ";"',
    default: [defaultModelId],
    example: [{ id: defaultModelId, aliases: [] }],
    parse: (value, source) => splitList(value, /[;\s]+/).map((entry) => parseModelSpec(entry, source)),
    parseItem: (value, source) => parseModelSpec(value, source),
  }),
  modelsDir: setting({
    scope: "model",
    doc: "directory of <org>/<name>/ model folders, searched before the download cache",
    schema: Type.String(),
    flag: { name: "--models-dir", kind: "value", argument: "<dir>" },
    env: "OPENRERANK_MODELS_DIR",
    defaultText: "none",
    example: "/models",
    parse: nonEmpty,
  }),
  cacheDir: setting({
    scope: "model",
    doc: "download cache",
    schema: Type.String(),
    flag: { name: "--cache-dir", kind: "value", argument: "<dir>" },
    env: "OPENRERANK_CACHE_DIR",
    computeDefault: ({ env, homedir }) => defaultCacheDir(env.XDG_CACHE_HOME || path.join(homedir, ".cache")),
    defaultText: "$XDG_CACHE_HOME/openrerank, else ~/.cache/openrerank",
    example: "/var/cache/openrerank",
    parse: nonEmpty,
  }),
  offline: setting({
    scope: "model",
    doc: "never touch the network: models must be in the models dir or the cache",
    schema: Type.Boolean(),
    flag: { name: "--offline", kind: "switch" },
    env: "OPENRERANK_OFFLINE",
    envFallbacks: ["HF_HUB_OFFLINE"],
    default: false,
    parse: parseBoolean,
  }),
  revision: setting({
    scope: "model",
    doc: "hub branch, tag or commit to download models from",
    schema: Type.String({ minLength: 1 }),
    flag: { name: "--revision", kind: "value", argument: "<rev>" },
    env: "OPENRERANK_REVISION",
    default: "main",
    parse: nonEmpty,
  }),
  hubEndpoint: setting({
    scope: "model",
    doc: "Hugging Face hub (or mirror) base URL",
    schema: Type.String(),
    env: "HF_ENDPOINT",
    default: defaultHubEndpoint,
    parse: parseHttpUrl,
  }),
  hubToken: setting({
    scope: "model",
    doc: "hub token for gated or private models",
    schema: Type.String({ minLength: 1 }),
    env: "HF_TOKEN",
    envFallbacks: ["HUGGING_FACE_HUB_TOKEN"],
    defaultText: "none",
    parse: text,
    secret: true,
  }),
  dtype: setting({
    scope: "model",
    doc: "weights variant: fp32 (exact), int8 (2-3x faster on CPU, slightly different scores), fp16, q4",
    schema: dtypeSchema,
    flag: { name: "--dtype", kind: "value", argument: "<dtype>" },
    env: "OPENRERANK_DTYPE",
    default: "fp32",
    parse: (value, source) => parseDtype(value, source),
  }),
  threads: setting({
    scope: "model",
    doc: "ONNX Runtime intra-op threads per model (fewer leave cores for tokenization and HTTP)",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--threads", kind: "value", argument: "<n>" },
    env: "OPENRERANK_THREADS",
    defaultText: "all cores",
    example: 4,
    parse: integer(1),
  }),
  apiKeys: setting({
    scope: "server",
    doc: "accepted API keys, sent as Authorization: Bearer <key> (none: the API is open)",
    schema: Type.Array(Type.String({ minLength: 1 })),
    flag: { name: "--api-key", kind: "list", argument: "<key>" },
    env: "OPENRERANK_API_KEYS",
    envFormat: "comma-separated",
    default: [],
    parse: (value) => splitList(value, ","),
    parseItem: text,
    secret: true,
  }),
  apiKeysFile: setting({
    scope: "server",
    doc: "file of API keys, one per line (# comments allowed); added to the API keys",
    schema: Type.String(),
    flag: { name: "--api-keys-file", kind: "value", argument: "<file>" },
    env: "OPENRERANK_API_KEYS_FILE",
    defaultText: "none",
    example: "/etc/openrerank/keys.txt",
    parse: nonEmpty,
  }),
  metricsAuth: setting({
    scope: "server",
    doc: "whether GET /metrics needs an API key when keys are set",
    schema: Type.Boolean(),
    flag: { name: "--no-metrics-auth", kind: "negated-switch" },
    env: "OPENRERANK_METRICS_AUTH",
    default: true,
    parse: parseBoolean,
  }),
  requestTimeoutMs: setting({
    scope: "server",
    doc: "a rerank request still running after this many milliseconds ends with 504 request_timeout",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--request-timeout-ms", kind: "value", argument: "<ms>" },
    env: "OPENRERANK_REQUEST_TIMEOUT_MS",
    default: 30_000,
    parse: integer(1),
  }),
  bodyLimit: setting({
    scope: "server",
    doc: "largest request body, in bytes or with a binary unit (512kb, 32mb); larger gets 413",
    schema: Type.Union([Type.Integer({ minimum: 1 }), Type.String()]),
    flag: { name: "--body-limit", kind: "value", argument: "<size>" },
    env: "OPENRERANK_BODY_LIMIT",
    default: "32mb",
    parse: (value, source) => (parseByteSize(value, source), value),
  }),
  maxDocuments: setting({
    scope: "server",
    doc: "most documents one request may send; more gets 400 too_many_documents",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--max-documents", kind: "value", argument: "<n>" },
    env: "OPENRERANK_MAX_DOCUMENTS",
    default: 10_000,
    parse: integer(1),
  }),
  maxBatchTokens: setting({
    scope: "server",
    doc: "token budget of one model batch (pairs x padded length); larger raises throughput and latency",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--max-batch-tokens", kind: "value", argument: "<n>" },
    env: "OPENRERANK_MAX_BATCH_TOKENS",
    default: defaultBatchLimits.maxBatchTokens,
    parse: integer(1),
  }),
  maxBatchSize: setting({
    scope: "server",
    doc: "most pairs in one model batch",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--max-batch-size", kind: "value", argument: "<n>" },
    env: "OPENRERANK_MAX_BATCH_SIZE",
    default: defaultBatchLimits.maxBatchSize,
    parse: integer(1),
  }),
  maxQueuedPairs: setting({
    scope: "server",
    doc: "pairs admitted and not yet answered per model; beyond it requests get 429 with Retry-After at once",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--max-queued-pairs", kind: "value", argument: "<n>" },
    env: "OPENRERANK_MAX_QUEUED_PAIRS",
    default: defaultBatchLimits.maxQueuedPairs,
    parse: integer(1),
  }),
  maxWindowsPerRequest: setting({
    scope: "server",
    doc: "most scored windows one request may need (documents x windows per document, overlap included); more gets 413 request_too_large (Cohere v1 caps documents x max_chunks_per_doc below 10,000; TEI caps inputs per request with --max-client-batch-size)",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--max-windows-per-request", kind: "value", argument: "<n>" },
    env: "OPENRERANK_MAX_WINDOWS_PER_REQUEST",
    default: 20_000,
    parse: integer(1),
  }),
  maxTokensPerRequest: setting({
    scope: "server",
    doc: "most model tokens one request may need (every window with the query and special tokens); more gets 413 request_too_large",
    schema: Type.Integer({ minimum: 1 }),
    flag: { name: "--max-tokens-per-request", kind: "value", argument: "<n>" },
    env: "OPENRERANK_MAX_TOKENS_PER_REQUEST",
    default: 4_194_304,
    parse: integer(1),
  }),
  shutdownTimeoutMs: setting({
    scope: "server",
    doc: "on SIGTERM/SIGINT, how long in-flight requests may drain before the process exits anyway",
    schema: Type.Integer({ minimum: 0 }),
    flag: { name: "--shutdown-timeout-ms", kind: "value", argument: "<ms>" },
    env: "OPENRERANK_SHUTDOWN_TIMEOUT_MS",
    default: 25_000,
    parse: integer(0),
  }),
  logLevel: setting({
    scope: "server",
    doc: `pino log level: ${logLevels.join(", ")}`,
    schema: Type.Union(logLevels.map((level) => Type.Literal(level))),
    flag: { name: "--log-level", kind: "value", argument: "<level>" },
    env: "OPENRERANK_LOG_LEVEL",
    default: "info",
    parse: (value, source) => parseChoice(value, source, logLevels, "log level"),
  }),
};

type Settings = typeof settings;
export type SettingKey = keyof Settings;

/** The config file's location: not itself a setting a file can hold, but a flag and a variable like them. */
export const configFileSetting = {
  flag: { name: "--config", kind: "value", argument: "<file>" },
  env: "OPENRERANK_CONFIG",
  doc: "JSON or YAML config file (.json is read as JSON, anything else as YAML); flags and the environment override it",
} as const;

/** Every row with its key, in table order. */
export const settingRows: readonly (SettingRow & { key: SettingKey })[] = Object.entries(settings).map(([key, row]) => ({ ...(row as SettingRow), key: key as SettingKey }));

export function settingRow(key: SettingKey): SettingRow & { key: SettingKey } {
  return settingRows.find((row) => row.key === key) as SettingRow & { key: SettingKey };
}

// ---- Derived: the config-file schema -------------------------------------------------

/** The default as help and docs state it; never for a secret. */
export function defaultText(row: SettingRow): string {
  if (row.secret) return row.defaultText ?? "none";
  if (row.defaultText !== undefined) return row.defaultText;
  return row.default === undefined ? "none" : formatValue(row.default);
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map((item) => (typeof item === "object" && item !== null && "id" in item ? String(item.id) : String(item))).join(", ");
  return String(value);
}

type SettingsProperties = { [K in SettingKey]: TOptional<Settings[K]["schema"]> };

/**
 * Every setting as a config file (JSON or YAML) writes it, derived from the table. Precedence:
 * defaults < file < environment < flags.
 */
export const ServerSettingsSchema = Type.Object(
  Object.fromEntries(settingRows.map((row) => [row.key, Type.Optional(CloneType(row.schema, { description: `${capitalize(row.doc)}. Default: ${defaultText(row)}.` }))])) as SettingsProperties,
  { additionalProperties: false, description: "openrerank server settings; defaults < this file < OPENRERANK_* environment < flags." },
);

export type ServerSettings = Static<typeof ServerSettingsSchema>;

// ---- Derived: flags ------------------------------------------------------------------

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type FlagAttribute<F> = F extends { name: `--no-${infer Name}` } ? CamelCase<Name> : F extends { name: `--${infer Name}` } ? CamelCase<Name> : never;
type FlagValue<F> = F extends { kind: "list" } ? readonly string[] : F extends { kind: "value" } ? string : boolean;

/**
 * Flags as the CLI receives them, keyed as commander names them (`--api-key` is `apiKey`,
 * `--no-metrics-auth` is `metricsAuth`): text as typed, repeatable flags as lists, switches as
 * booleans. Derived from the table.
 */
export type ServerFlags = { config?: string } & { [K in SettingKey as FlagAttribute<Settings[K]["flag"]>]?: FlagValue<Settings[K]["flag"]> };

/** The property commander stores a flag under: `--api-key` → `apiKey`, `--no-metrics-auth` → `metricsAuth`. */
export function flagAttribute(flag: FlagSpec | { name: string }): string {
  return flag.name
    .replace(/^--(no-)?/, "")
    .replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/** How `--help` and the docs write a flag: `--port <port>`. */
export function flagUsage(flag: FlagSpec | typeof configFileSetting.flag): string {
  return "argument" in flag ? `${flag.name} ${flag.argument}` : flag.name;
}

function capitalize(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
