import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { createApiKeyVerifier } from "../../src/server/auth.js";
import type { RunningServer } from "../../src/server/start-server.js";
import { postJson, startTestServer } from "../support/test-server.js";

const keys = ["key-one-0123456789", "key-two-abcdefghij"];
const body = { query: "q", documents: ["a", "b"] };

describe("createApiKeyVerifier", () => {
  it("accepts exactly the configured keys", () => {
    const verify = createApiKeyVerifier(keys);
    assert.equal(verify("key-one-0123456789"), true);
    assert.equal(verify("key-two-abcdefghij"), true);
    for (const wrong of ["", "key-one", "key-one-0123456789x", "KEY-ONE-0123456789", " key-one-0123456789"]) assert.equal(verify(wrong), false, wrong);
  });
});

describe("API keys", () => {
  let server: RunningServer;
  const logLines: string[] = [];
  before(async () => {
    const logs = new PassThrough();
    logs.on("data", (chunk: Buffer) => logLines.push(chunk.toString()));
    server = await startTestServer({ apiKey: keys, logLevel: "trace" }, { logStream: logs });
  });
  after(() => server.close());

  const call = (headers: Record<string, string>) => server.app.inject(postJson("/v2/rerank", body, headers));

  it("401 no api key supplied without an Authorization header or with an empty bearer token", async () => {
    for (const headers of [{}, { authorization: "" }, { authorization: "Bearer " }] as Record<string, string>[]) {
      const response = await call(headers);
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().message, "no api key supplied");
      assert.equal(response.json().code, "unauthorized");
    }
  });

  it("401 invalid api token for a wrong key or scheme", async () => {
    for (const authorization of ["Bearer wrong", "Bearer key-one", "Basic a2V5LW9uZQ==", "key-one-0123456789", "Bearer key-one-0123456789 extra"]) {
      const response = await call({ authorization });
      assert.equal(response.statusCode, 401, authorization);
      assert.equal(response.json().message, "invalid api token");
    }
  });

  it("accepts every configured key, with the scheme in any case", async () => {
    for (const authorization of ["Bearer key-one-0123456789", "bearer key-two-abcdefghij", "BEARER  key-one-0123456789 "]) {
      assert.equal((await call({ authorization })).statusCode, 200, authorization);
    }
  });

  it("checks the key before reading the body", async () => {
    const response = await server.app.inject({ method: "POST", url: "/v2/rerank", payload: "{not json", headers: { "content-type": "application/json" } });
    assert.equal(response.statusCode, 401);
  });

  it("protects /v1/rerank, /rerank, /v1/models and /metrics; leaves /health, /ready, /openapi.json and /docs open", async () => {
    assert.equal((await server.app.inject(postJson("/v1/rerank", body))).statusCode, 401);
    assert.equal((await server.app.inject(postJson("/rerank", { query: "q", texts: ["a"] }))).statusCode, 401);
    assert.equal((await server.app.inject({ method: "GET", url: "/v1/models" })).statusCode, 401);
    assert.equal((await server.app.inject({ method: "GET", url: "/metrics" })).statusCode, 401);
    assert.equal((await server.app.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${keys[0]}` } })).statusCode, 200);
    for (const url of ["/health", "/ready", "/openapi.json", "/docs", "/docs/json", "/docs/static/index.html"]) {
      const status = (await server.app.inject({ method: "GET", url })).statusCode;
      assert.ok(status === 200 || status === 302, `${url}: ${status}`);
    }
  });

  it("never writes a key to the logs, even at trace level", async () => {
    await call({ authorization: `Bearer ${keys[0]}` });
    await call({ authorization: "Bearer a-wrong-key-in-the-log" });
    const text = logLines.join("");
    assert.ok(text.length > 0, "the server logged something");
    for (const secret of [...keys, "a-wrong-key-in-the-log"]) assert.ok(!text.includes(secret), `${secret} leaked into the logs`);
  });
});

describe("API key sources", () => {
  it("reads keys from a file and from OPENRERANK_API_KEYS-style lists; /metrics can be left open", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "openrerank-keys-"));
    const file = path.join(directory, "keys.txt");
    writeFileSync(file, "# team keys\nfile-key-1\n\n  file-key-2  \n");
    const server = await startTestServer({ apiKeysFile: file, apiKey: ["flag-key"], metricsAuth: false });
    try {
      for (const key of ["file-key-1", "file-key-2", "flag-key"]) {
        assert.equal((await server.app.inject(postJson("/v2/rerank", body, { authorization: `Bearer ${key}` }))).statusCode, 200, key);
      }
      assert.equal((await server.app.inject(postJson("/v2/rerank", body, { authorization: "Bearer # team keys" }))).statusCode, 401);
      assert.equal((await server.app.inject({ method: "GET", url: "/metrics" })).statusCode, 200);
    } finally {
      await server.close();
    }
  });

  it("without keys the API is open", async () => {
    const server = await startTestServer();
    try {
      assert.equal((await server.app.inject(postJson("/v2/rerank", body))).statusCode, 200);
      assert.equal((await server.app.inject(postJson("/v2/rerank", body, { authorization: "Bearer anything" }))).statusCode, 200);
    } finally {
      await server.close();
    }
  });
});
