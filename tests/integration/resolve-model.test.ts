import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { OpenRerankError } from "../../src/errors/catalog.js";
import { onnxLayout, type Dtype } from "../../src/backends/cross-encoder-onnx/onnx-layout.js";
import { resolveModel, type ModelLocationSettings } from "../../src/inference/model-resolution/resolve-model.js";
import { startHubLikeServer, type HubLikeServer } from "../support/hub-like-server.js";

/** Writes a model folder with the files resolution looks for (contents are not parsed here). */
function writeModel(directory: string, onnxFiles: string[] = ["onnx/model.onnx"]): void {
  for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", ...onnxFiles]) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), `${file} of ${directory}`);
  }
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "openrerank-resolve-"));
const hubRoot = path.join(scratch, "hub");
writeModel(path.join(hubRoot, "Xenova/ms-marco-MiniLM-L-6-v2"), ["onnx/model.onnx", "onnx/model_quantized.onnx"]);
writeModel(path.join(hubRoot, "gated/model"));

/** Resolution settings for the ONNX cross-encoder layout of `dtype`. */
function settings({ dtype = "fp32", ...overrides }: Partial<Omit<ModelLocationSettings, "layout">> & { dtype?: Dtype }): ModelLocationSettings {
  return { model: "Xenova/ms-marco-MiniLM-L-6-v2", layout: onnxLayout(dtype), cacheDir: path.join(scratch, `cache-${Math.random()}`), offline: true, hub: { endpoint: "http://127.0.0.1:9", revision: "main" }, ...overrides };
}

const isModelNotFound = (pattern: RegExp) => (error: unknown) => error instanceof OpenRerankError && error.code === "model_not_found" && pattern.test(error.message);

describe("resolveModel", () => {
  let hub: HubLikeServer;
  before(async () => {
    hub = await startHubLikeServer(hubRoot, {});
  });
  after(() => hub.close());

  it("uses an explicit directory first", async () => {
    const directory = path.join(scratch, "explicit");
    writeModel(directory);
    const resolved = await resolveModel(settings({ model: directory }));
    assert.deepEqual(resolved, { id: directory, directory, weightsFile: "onnx/model.onnx", source: "directory" });
  });

  it("names what an explicit directory lacks", async () => {
    const directory = path.join(scratch, "incomplete");
    writeModel(directory);
    await assert.rejects(resolveModel(settings({ model: directory, dtype: "int8" })), isModelNotFound(/missing onnx\/model_quantized\.onnx/));
  });

  it("finds <org>/<name> in the models directory, then in the cache", async () => {
    const modelsDir = path.join(scratch, "models");
    writeModel(path.join(modelsDir, "cross-encoder/ms-marco-MiniLM-L-6-v2"));
    const fromModelsDir = await resolveModel(settings({ model: "cross-encoder/ms-marco-MiniLM-L-6-v2", modelsDir }));
    assert.equal(fromModelsDir.source, "models-dir");
    assert.equal(fromModelsDir.directory, path.join(modelsDir, "cross-encoder/ms-marco-MiniLM-L-6-v2"));

    const cacheDir = path.join(scratch, "cache-hit");
    writeModel(path.join(cacheDir, "BAAI/bge-reranker-base"), ["onnx/model_int8.onnx"]);
    const fromCache = await resolveModel(settings({ model: "BAAI/bge-reranker-base", modelsDir, cacheDir, dtype: "int8" }));
    assert.deepEqual([fromCache.source, fromCache.weightsFile], ["cache", "onnx/model_int8.onnx"]);
  });

  it("offline: fails naming the id, every place searched and how to obtain the model", async () => {
    const modelsDir = path.join(scratch, "empty-models");
    await assert.rejects(resolveModel(settings({ model: "mixedbread-ai/mxbai-rerank-xsmall-v1", modelsDir })), (error: unknown) => {
      assert.ok(error instanceof OpenRerankError && error.code === "model_not_found");
      assert.match(error.message, /mixedbread-ai\/mxbai-rerank-xsmall-v1/);
      assert.match(error.message, /offline/);
      assert.ok(error.message.includes(path.join(modelsDir, "mixedbread-ai/mxbai-rerank-xsmall-v1")));
      assert.match(error.message, /download cache/);
      assert.match(error.message, /--models-dir or OPENRERANK_MODELS_DIR/);
      return true;
    });
    assert.equal(hub.requests.length, 0, "offline mode contacted the hub");
  });

  it("downloads from a hub-like server into the cache, then reuses the cache", async () => {
    const cacheDir = path.join(scratch, "download-cache");
    const started: string[] = [];
    const progress = { start: (file: string) => started.push(file), advance: () => undefined, finish: () => undefined };
    const resolved = await resolveModel(settings({ cacheDir, offline: false, dtype: "int8", hub: { endpoint: hub.endpoint, revision: "main" }, progress }));
    assert.deepEqual([resolved.source, resolved.weightsFile], ["hub", "onnx/model_quantized.onnx"]);
    assert.equal(resolved.directory, path.join(cacheDir, "Xenova/ms-marco-MiniLM-L-6-v2"));
    assert.equal(readFileSync(path.join(resolved.directory, "onnx/model_quantized.onnx"), "utf8"), `onnx/model_quantized.onnx of ${path.join(hubRoot, "Xenova/ms-marco-MiniLM-L-6-v2")}`);
    assert.deepEqual(started, ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"]);
    assert.ok(hub.requests.some((request) => request.url === "/Xenova/ms-marco-MiniLM-L-6-v2/resolve/main/special_tokens_map.json"), "optional file not tried");

    const requestsBefore = hub.requests.length;
    const again = await resolveModel(settings({ cacheDir, offline: false, dtype: "int8", hub: { endpoint: hub.endpoint, revision: "main" } }));
    assert.equal(again.source, "cache");
    assert.equal(hub.requests.length, requestsBefore);
  });

  it("reports a repository the hub does not have, and a missing dtype", async () => {
    const hubSettings = { endpoint: hub.endpoint, revision: "main" };
    await assert.rejects(resolveModel(settings({ model: "nobody/nothing", offline: false, hub: hubSettings })), isModelNotFound(/the hub has no config\.json/));
    await assert.rejects(resolveModel(settings({ model: "Xenova/ms-marco-MiniLM-L-6-v2", offline: false, dtype: "q4", hub: hubSettings })), isModelNotFound(/no weights for dtype q4/));
  });

  it("sends HF_TOKEN as a bearer token and explains a 401", async () => {
    const gated = await startHubLikeServer(hubRoot, { requireToken: "secret-token" });
    try {
      await assert.rejects(
        resolveModel(settings({ model: "gated/model", offline: false, hub: { endpoint: gated.endpoint, revision: "main" } })),
        (error: unknown) => error instanceof OpenRerankError && error.code === "model_download_failed" && /HTTP 401/.test(error.message) && /HF_TOKEN/.test(error.message) && !error.message.includes("secret-token"),
      );
      const resolved = await resolveModel(settings({ model: "gated/model", offline: false, hub: { endpoint: gated.endpoint, revision: "v1.0", token: "secret-token" } }));
      assert.equal(resolved.source, "hub");
      assert.ok(gated.requests.at(-1)?.url.includes("/resolve/v1.0/"));
    } finally {
      await gated.close();
    }
  });

  it("rejects an id that is neither a path nor org/name", async () => {
    await assert.rejects(resolveModel(settings({ model: "not a model id" })), isModelNotFound(/neither a directory nor a Hugging Face id/));
  });

  it("checks hub ids against Hugging Face's repo-id rules before touching the models dir, the cache or the hub", async () => {
    const invalid: [string, RegExp][] = [
      ["a/..", /the name "\.\." starts or ends with "-" or "\."/],
      ["a/.", /the name "\." starts or ends/],
      ["../..", /is missing|neither/], // a relative path: taken as a directory, never as an id
      ["a/b/c", /it has 2 "\/" where an id has one/],
      ["a//b", /it has 2 "\/"/],
      ["/a", /is missing/], // an absolute path, not an id
      ["a/", /it has an empty name/],
      ["noslash", /it has no org/],
      ["-org/name", /the name "-org" starts or ends with "-" or "\."/],
      ["org/name-", /starts or ends/],
      ["org/.name", /starts or ends/],
      ["org/na--me", /contains "--" or "\.\."/],
      ["org/na..me", /contains "--" or "\.\."/],
      ["org/name.git", /ends in "\.git"/],
      [`org/${"n".repeat(97)}`, /is 97 characters long, longer than 96/],
      ["org/na me", /a character other than letters, digits/],
      ["orgü/name", /a character other than letters, digits/],
      ["org/name\u0000", /a character other than/],
    ];
    const hubSettings = { endpoint: hub.endpoint, revision: "main" };
    for (const [model, reason] of invalid) {
      const cacheDir = path.join(scratch, `never-written-${Math.random()}`);
      const requestsBefore = hub.requests.length;
      await assert.rejects(resolveModel(settings({ model, cacheDir, offline: false, hub: hubSettings })), isModelNotFound(reason), model);
      assert.equal(hub.requests.length, requestsBefore, `${model}: the hub was contacted`);
      assert.equal(existsSync(cacheDir), false, `${model}: the cache was written`);
    }
    await assert.rejects(resolveModel(settings({ model: "a/.." })), isModelNotFound(/A Hugging Face id is org\/name \(e\.g\. cross-encoder\/ms-marco-MiniLM-L-6-v2\)/));
    // Valid ids at the edges of the rules reach the normal search (offline here: not found, with the places searched).
    for (const model of ["_org/name_", "o/n", "Org.1/Name-2.v3", `org/${"n".repeat(96)}`]) {
      await assert.rejects(resolveModel(settings({ model })), isModelNotFound(/was not found: offline mode is on/), model);
    }
  });
});
