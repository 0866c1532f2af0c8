import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import {
  defaultModelId,
  loadModelSettings,
  loadModelSourceSettings,
  loadServerConfig,
  parseByteSize,
  parseModelSpec,
  readServerConfigFile,
  redactServerConfig,
} from "../../src/config/load-settings.js";
import { OpenRerankError } from "../../src/errors/catalog.js";
import { defaultBatchLimits } from "../../src/inference/batching/batch-scheduler.js";

const directory = mkdtempSync(path.join(os.tmpdir(), "openrerank-config-"));
function file(name: string, text: string): string {
  const target = path.join(directory, name);
  writeFileSync(target, text);
  return target;
}
const invalidOption = (fragment: string | RegExp) => (error: unknown) =>
  error instanceof OpenRerankError && error.code === "invalid_option" && (typeof fragment === "string" ? error.message.includes(fragment) : fragment.test(error.message));

describe("loadServerConfig", () => {
  it("has documented defaults", () => {
    const config = loadServerConfig({}, {});
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.port, 8080);
    assert.deepEqual(config.models, [{ id: defaultModelId, aliases: [] }]);
    assert.equal(config.dtype, "fp32");
    assert.deepEqual(config.apiKeys, []);
    assert.equal(config.metricsAuth, true);
    assert.equal(config.requestTimeoutMs, 30_000);
    assert.equal(config.bodyLimitBytes, 32 * 1024 * 1024);
    assert.equal(config.maxDocuments, 10_000);
    assert.deepEqual(config.batchLimits, defaultBatchLimits, "the engine's tuned batch limits");
    assert.equal(config.modelSource.offline, false);
    assert.deepEqual(config.modelSource.hub, { endpoint: "https://huggingface.co", revision: "main" });
    assert.equal(config.modelSource.cacheDir, path.join(os.homedir(), ".cache", "openrerank"));
    assert.equal(config.threads, undefined);
  });

  it("reads the hub settings and XDG_CACHE_HOME from the environment, the revision from a flag too", () => {
    const env = { HF_ENDPOINT: "https://mirror.example/hf", HF_TOKEN: "hf_secret", HF_HUB_OFFLINE: "1", XDG_CACHE_HOME: "/xdg", OPENRERANK_REVISION: "v2" };
    const config = loadServerConfig({}, env);
    assert.deepEqual(config.modelSource, { cacheDir: path.join("/xdg", "openrerank"), offline: true, hub: { endpoint: "https://mirror.example/hf", token: "hf_secret", revision: "v2" } });
    assert.equal(loadServerConfig({ revision: "abc123" }, env).modelSource.hub.revision, "abc123");
    assert.equal(loadServerConfig({}, { ...env, OPENRERANK_OFFLINE: "false" }).modelSource.offline, false, "OPENRERANK_OFFLINE wins over HF_HUB_OFFLINE");
    assert.equal(loadServerConfig({}, { HUGGING_FACE_HUB_TOKEN: "legacy" }).modelSource.hub.token, "legacy");
    assert.throws(() => loadServerConfig({}, { HF_ENDPOINT: "huggingface.co" }), invalidOption('HF_ENDPOINT "huggingface.co" is not an http(s) URL'));
  });

  it("gives the CLI the same model settings, without a config file", () => {
    const env = { OPENRERANK_MODELS_DIR: "/models", OPENRERANK_DTYPE: "int8", OPENRERANK_CONFIG: "/nonexistent.yaml", HF_TOKEN: "t" };
    assert.deepEqual(loadModelSettings({ threads: "2", cacheDir: "/c" }, env), {
      modelSource: { modelsDir: "/models", cacheDir: "/c", offline: false, hub: { endpoint: "https://huggingface.co", token: "t", revision: "main" } },
      dtype: "int8",
      threads: 2,
    });
    assert.equal(loadModelSourceSettings({ offline: true }, {}).offline, true);
    assert.throws(() => loadModelSettings({ threads: "0" }, {}), invalidOption('--threads "0" is not a positive integer'));
  });

  it("redacts every secret of the table", () => {
    const config = loadServerConfig({ apiKey: ["key-one"] }, { HF_TOKEN: "hf_token_value", OPENRERANK_API_KEYS: "ignored" });
    const printed = JSON.stringify(redactServerConfig(config));
    assert.ok(!printed.includes("key-one") && !printed.includes("hf_token_value"), printed);
    assert.equal(redactServerConfig(config).apiKeys.length, 1);
    assert.equal(config.apiKeys[0], "key-one", "the original is untouched");
  });

  it("rejects flags that are not settings", () => {
    assert.throws(() => loadServerConfig({ prot: "1" } as never, {}), invalidOption('"prot" is not a settings flag'));
  });

  it("applies defaults < file < environment < flags", () => {
    const config = file("layers.yaml", "port: 9000\nhost: 127.0.0.1\nmaxDocuments: 50\nrequestTimeoutMs: 1000\nmodels:\n  - id: from/file\n    aliases: [a]\n");
    const fromFile = loadServerConfig({ config }, {});
    assert.equal(fromFile.port, 9000);
    assert.equal(fromFile.host, "127.0.0.1");
    assert.deepEqual(fromFile.models, [{ id: "from/file", aliases: ["a"] }]);
    const env = { OPENRERANK_PORT: "9100", OPENRERANK_MAX_DOCUMENTS: "60", OPENRERANK_MODELS: "from/env=b,c;other/env" };
    const fromEnv = loadServerConfig({ config }, env);
    assert.equal(fromEnv.port, 9100);
    assert.equal(fromEnv.maxDocuments, 60);
    assert.equal(fromEnv.requestTimeoutMs, 1000, "the file still supplies what the environment leaves out");
    assert.deepEqual(fromEnv.models, [{ id: "from/env", aliases: ["b", "c"] }, { id: "other/env", aliases: [] }]);
    const fromFlags = loadServerConfig({ config, port: "9200", model: ["from/flag=d"] }, env);
    assert.equal(fromFlags.port, 9200);
    assert.deepEqual(fromFlags.models, [{ id: "from/flag", aliases: ["d"] }]);
    assert.equal(fromFlags.maxDocuments, 60);
  });

  it("finds the file through OPENRERANK_CONFIG and reads JSON too", () => {
    const json = file("settings.json", JSON.stringify({ port: 7000, models: ["x/y=z"], apiKeys: ["k1"], bodyLimit: 2048 }));
    const config = loadServerConfig({}, { OPENRERANK_CONFIG: json });
    assert.equal(config.port, 7000);
    assert.deepEqual(config.models, [{ id: "x/y", aliases: ["z"] }]);
    assert.deepEqual(config.apiKeys, ["k1"]);
    assert.equal(config.bodyLimitBytes, 2048);
  });

  it("merges API keys from the list and the keys file", () => {
    const keys = file("keys.txt", "# comment\nfile-key\n\n");
    const config = loadServerConfig({ apiKey: ["flag-key"], apiKeysFile: keys }, { OPENRERANK_API_KEYS: "env-a, env-b" });
    assert.deepEqual(config.apiKeys, ["flag-key", "file-key"], "flags replace the environment's list; the file adds to it");
    assert.deepEqual(loadServerConfig({}, { OPENRERANK_API_KEYS: "env-a, env-b" }).apiKeys, ["env-a", "env-b"]);
  });

  it("reads booleans and the environment's model-source variables", () => {
    const config = loadServerConfig({}, { OPENRERANK_OFFLINE: "1", OPENRERANK_METRICS_AUTH: "false", OPENRERANK_MODELS_DIR: "/models", OPENRERANK_CACHE_DIR: "/cache" });
    assert.equal(config.modelSource.offline, true);
    assert.equal(config.metricsAuth, false);
    assert.equal(config.modelSource.modelsDir, "/models");
    assert.equal(config.modelSource.cacheDir, "/cache");
    assert.equal(loadServerConfig({ metricsAuth: true }, { OPENRERANK_METRICS_AUTH: "false" }).metricsAuth, true);
  });

  it("rejects bad values, naming where they came from and what is allowed", () => {
    assert.throws(() => loadServerConfig({ port: "http" }, {}), invalidOption('--port "http" is not an integer from 0 to 65535'));
    assert.throws(() => loadServerConfig({}, { OPENRERANK_PORT: "70000" }), invalidOption("OPENRERANK_PORT"));
    assert.throws(() => loadServerConfig({}, { OPENRERANK_OFFLINE: "maybe" }), invalidOption("is not a boolean"));
    assert.throws(() => loadServerConfig({ dtype: "int4" }, {}), invalidOption(/int4.*fp32, int8, fp16, q4/));
    assert.throws(() => loadServerConfig({ bodyLimit: "lots" }, {}), invalidOption("is not a size"));
    assert.throws(() => loadServerConfig({ logLevel: "loud" }, {}), invalidOption("is not a log level"));
    assert.throws(() => loadServerConfig({ apiKeysFile: path.join(directory, "missing.txt") }, {}), invalidOption("API keys file"));
  });

  it("rejects a name given to two models", () => {
    assert.throws(() => loadServerConfig({ model: ["a/one=fast", "b/two=fast"] }, {}), invalidOption('model name "fast" is given twice (to a/one and b/two) in --model'));
    assert.throws(() => loadServerConfig({ model: ["a/one", "a/one"] }, {}), invalidOption('"a/one"'));
  });
});

describe("config files", () => {
  it("rejects unknown settings and wrong types, naming the setting", () => {
    assert.throws(() => readServerConfigFile(file("typo.yaml", "prot: 8080\n")), invalidOption(/typo\.yaml: prot: Unexpected property \(known settings: host, port, models/));
    assert.throws(() => readServerConfigFile(file("type.yaml", "port: eighty\n")), invalidOption('config file ' + path.join(directory, "type.yaml") + ': port "eighty" is not an integer from 0 to 65535'));
    assert.throws(() => readServerConfigFile(file("range.yaml", "port: 70000\n")), invalidOption(/range\.yaml: port: /));
    assert.throws(() => readServerConfigFile(file("dtype.yaml", "dtype: int4\n")), invalidOption(/dtype\.yaml: dtype "int4" is not supported; use one of fp32, int8, fp16, q4/));
    assert.throws(() => readServerConfigFile(file("size.yaml", "bodyLimit: lots\n")), invalidOption(/size\.yaml: bodyLimit "lots" is not a size/));
    assert.throws(() => readServerConfigFile(file("alias.yaml", "models:\n  - id: a\n    alias: [x]\n")), invalidOption(/alias\.yaml: models\.0/));
    assert.throws(() => readServerConfigFile(file("broken.json", "{")), invalidOption("is not valid JSON"));
    assert.throws(() => readServerConfigFile(path.join(directory, "absent.yaml")), invalidOption("cannot be read"));
  });

  it("takes a backend and options per model, and names the file in model errors", () => {
    const config = loadServerConfig({ config: file("backend.yaml", "models:\n  - id: a/b\n    backend: cross-encoder-onnx\n    dtype: int8\n    options: { x: 1 }\n  - c/d=e\n") }, {});
    assert.deepEqual(config.models, [{ id: "a/b", aliases: [], dtype: "int8", backend: "cross-encoder-onnx", options: { x: 1 } }, { id: "c/d", aliases: ["e"] }]);
    assert.throws(() => loadServerConfig({ config: file("noid.yaml", "models: ['=x']\n") }, {}), invalidOption(/noid\.yaml: models "=x" has no id/));
  });

  it("accepts the shipped example files", () => {
    const aliases = loadServerConfig({ config: "config/cohere-aliases.example.yaml" }, {});
    const names = aliases.models.flatMap((model) => model.aliases);
    for (const cohereName of ["rerank-v3.5", "rerank-english-v3.0", "rerank-multilingual-v3.0", "rerank-v4.0-fast", "rerank-v4.0-pro"]) assert.ok(names.includes(cohereName), cohereName);
    assert.equal(aliases.models.find((model) => model.aliases.includes("rerank-v4.0-fast"))?.id, "Xenova/ms-marco-MiniLM-L-6-v2");
    const everything = loadServerConfig({ config: "config/server.example.yaml" }, {});
    assert.deepEqual(everything, loadServerConfig({}, {}), "the full example spells out the defaults");
  });
});

describe("parseModelSpec and parseByteSize", () => {
  it("splits an id from its aliases at the first =", () => {
    assert.deepEqual(parseModelSpec("org/name"), { id: "org/name", aliases: [] });
    assert.deepEqual(parseModelSpec("org/name=a, b,,c"), { id: "org/name", aliases: ["a", "b", "c"] });
    assert.deepEqual(parseModelSpec("./models/local=x"), { id: "./models/local", aliases: ["x"] });
    assert.throws(() => parseModelSpec("=alias"), invalidOption("has no id"));
  });

  it("reads bytes and binary units", () => {
    assert.equal(parseByteSize(1000, "x"), 1000);
    assert.equal(parseByteSize("1000", "x"), 1000);
    assert.equal(parseByteSize("512kb", "x"), 512 * 1024);
    assert.equal(parseByteSize("32MB", "x"), 32 * 1024 * 1024);
    assert.equal(parseByteSize("1.5 mib", "x"), 1.5 * 1024 * 1024);
    assert.throws(() => parseByteSize("0", "x"), invalidOption("is not a size"));
    assert.throws(() => parseByteSize("12 parsecs", "x"), invalidOption("is not a size"));
  });
});
