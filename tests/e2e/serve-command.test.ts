import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { requireTestModel, testModelsDir } from "../support/test-models.js";

// `openrerank serve` as users run it: the built CLI in a child process (npm test builds first).
const cli = path.resolve("dist/cli/main.js");
const children: ChildProcess[] = [];

interface Serving {
  child: ChildProcess;
  url: string;
  logs: string[];
  exited: Promise<number | null>;
}

/** Starts the server and resolves once it logs "ready"; rejects with its output if it exits first. */
function serve(args: string[], env: Record<string, string> = {}): Promise<Serving> {
  requireTestModel("test/minilm-l6");
  const child = spawn(process.execPath, [cli, "serve", "--host", "127.0.0.1", "--port", "0", "--models-dir", testModelsDir, "--offline", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let url = "";
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        const message = (JSON.parse(line) as { msg: string }).msg;
        url = /^openrerank listening on (\S+);/.exec(message)?.[1] ?? url;
        if (message === "ready") resolve({ child, url, logs, exited });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then((code) => reject(new Error(`serve exited with ${code} before it was ready:\n${logs.join("\n")}`)));
  });
}

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

describe("openrerank serve", () => {
  it("documents every flag with its environment variable", async () => {
    // Word for word against the settings table: tests/config/settings-docs.test.ts.
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "serve", "--help"]);
    for (const flag of ["--config", "--host", "--port", "--model", "--models-dir", "--cache-dir", "--offline", "--revision", "--dtype", "--threads", "--api-key", "--api-keys-file", "--no-metrics-auth", "--request-timeout-ms", "--body-limit", "--max-documents", "--max-batch-tokens", "--max-batch-size", "--max-queued-pairs", "--shutdown-timeout-ms", "--log-level", "--print-config"]) {
      assert.ok(stdout.includes(flag), flag);
    }
    assert.match(stdout, /OPENRERANK_PORT/);
    assert.match(stdout, /OPENRERANK_MODELS_DIR/);
    assert.match(stdout, /HF_TOKEN/);
  });

  it("--print-config shows the merged configuration, secrets redacted, and exits", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "serve", "--print-config", "--port", "9001"], {
      env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir(), OPENRERANK_API_KEYS: "printed-never", HF_TOKEN: "hf_printed_never", OPENRERANK_REVISION: "v2" },
    });
    assert.match(stdout, /port: 9001/);
    assert.match(stdout, /revision: v2/);
    assert.ok(!stdout.includes("printed-never") && !stdout.includes("hf_printed_never"), stdout);
    assert.match(stdout, /<redacted>/);
  });

  it("serves with aliases from a config file, flags and environment on top", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "openrerank-serve-"));
    const config = path.join(directory, "aliases.yaml");
    writeFileSync(config, "models:\n  - id: test/minilm-l6\n    aliases: [rerank-v3.5, rerank-english-v3.0]\nrequestTimeoutMs: 5\n");
    const server = await serve(["--config", config], { OPENRERANK_REQUEST_TIMEOUT_MS: "20000", OPENRERANK_API_KEYS: "serve-key" });
    try {
      const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: "Bearer serve-key" } });
      assert.deepEqual(((await models.json()) as { models: { aliases: string[] }[] }).models[0].aliases, ["rerank-v3.5", "rerank-english-v3.0"]);
      const response = await fetch(`${server.url}/v2/rerank`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer serve-key" },
        body: JSON.stringify({ model: "rerank-v3.5", query: "q", documents: Array.from({ length: 50 }, (_, index) => `document ${index}`) }),
      });
      assert.equal(response.status, 200, "the environment's 20 s timeout replaced the file's 5 ms");
      assert.ok(!server.logs.join("\n").includes("serve-key"), "the key is not logged");
    } finally {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);
    }
  });

  it("on SIGTERM stops accepting, finishes in-flight requests and exits 0", async () => {
    const server = await serve(["--model", "test/minilm-l6"]);
    const documents = Array.from({ length: 300 }, (_, index) => `document ${index} about the airways and inflammation `.repeat(8));
    const inFlight = fetch(`${server.url}/v2/rerank`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "q", documents }) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill("SIGTERM");
    const response = await inFlight;
    assert.equal(response.status, 200, "the request that was running when SIGTERM came was answered");
    assert.equal(((await response.json()) as { results: unknown[] }).results.length, 300);
    assert.equal(await server.exited, 0, server.logs.join("\n"));
    const messages = server.logs.map((line) => (line.startsWith("{") ? (JSON.parse(line) as { msg: string }).msg : line));
    assert.ok(messages.some((message) => message.startsWith("shutting down")));
    assert.ok(messages.includes("drained; bye"));
    await assert.rejects(fetch(`${server.url}/health`), "no longer listening");
  });

  it("a forced shutdown (drain timeout or a second signal) under load exits 1 cleanly, never with a native abort", async () => {
    const documents = Array.from({ length: 300 }, (_, index) => `document ${index} about the airways and inflammation `.repeat(8));
    for (const forced of ["drain timeout", "second signal", "drain timeout", "second signal"]) {
      const server = await serve(["--model", "test/minilm-l6", "--shutdown-timeout-ms", forced === "drain timeout" ? "150" : "60000"]);
      // Exit status and signal together: a native abort shows as signal SIGABRT with no exit code.
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server.child.once("exit", (code, signal) => resolve({ code, signal })));
      const inFlight = fetch(`${server.url}/v2/rerank`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "q", documents }) }).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.child.kill("SIGTERM");
      if (forced === "second signal") {
        await new Promise((resolve) => setTimeout(resolve, 100));
        server.child.kill("SIGINT");
      }
      assert.deepEqual(await ended, { code: 1, signal: null }, `${forced}:\n${server.logs.join("\n")}`);
      await inFlight;
    }
  });

  it("exits 1 naming the source of a bad setting", async () => {
    await assert.rejects(serve([], { OPENRERANK_PORT: "http" }), /OPENRERANK_PORT "http" is not an integer from 0 to 65535/);
  });

  it("exits 1 with a clear message when a model cannot be loaded", async () => {
    await assert.rejects(serve(["--model", "nobody/no-such-model"]), /exited with 1 before it was ready[\s\S]*no-such-model/);
  });
});
