import assert from "node:assert/strict";
import net from "node:net";
import { Duplex, PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { errorCatalog, OpenRerankError, type ErrorCode } from "../../src/errors/catalog.js";
import type { ServedReranker } from "../../src/server/model-registry.js";
import type { RunningServer } from "../../src/server/start-server.js";
import { rerankErrorCodes, type ErrorBody } from "../../src/server/wire/error-body.js";
import { scriptedReranker } from "../support/scripted-backend.js";
import { metricValue, postJson, startTestServer } from "../support/test-server.js";

const query = "what is measured?";
const seen = new Set<ErrorCode>();

/** Asserts an error response: status, stable code, the catalog's status for that code, and the common body fields. */
function assertError(response: { statusCode: number; json: () => unknown; headers: Record<string, unknown> }, status: number, code: ErrorCode, message?: string | RegExp) {
  const body = response.json() as ErrorBody;
  assert.equal(response.statusCode, status, JSON.stringify(body));
  assert.equal(body.code, code);
  assert.equal(errorCatalog[code].status, status, "the status comes from the catalog");
  assert.equal(body.request_id, response.headers["x-request-id"]);
  if (typeof message === "string") assert.equal(body.message, message);
  else if (message) assert.match(body.message, message);
  seen.add(code);
  return body;
}

/** An HTTP/1.1 answer read off a socket, shaped like an inject() response for assertError. */
function parseRawAnswer(text: string): { statusCode: number; json: () => unknown; headers: Record<string, string> } {
  const [head, ...rest] = text.split("\r\n\r\n");
  const statusCode = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const headers = Object.fromEntries(head.split("\r\n").slice(1).map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  return { statusCode, headers, json: () => JSON.parse(rest.join("\r\n\r\n")) };
}

/** Writes raw bytes to the server and reads its answer until it closes the connection. */
function rawExchange(url: string, bytes: string): Promise<ReturnType<typeof parseRawAnswer>> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(parseRawAnswer(Buffer.concat(chunks).toString())));
    socket.write(bytes);
  });
}

/** A model whose scoring fails the way a test needs; it goes through the same contract as a real one. */
function failingReranker(failure: () => Error): ServedReranker {
  return scriptedReranker(() => 0, { id: "failing", fail: failure });
}

describe("error statuses (one error handler, statuses from the catalog)", () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const v2 = (body: unknown) => server.app.inject(postJson("/v2/rerank", body));
  const v1 = (body: unknown) => server.app.inject(postJson("/v1/rerank", body));

  it("400 empty_query for an empty or whitespace query, in Cohere's words", async () => {
    for (const bad of ["", "   \n\t"]) {
      assertError(await v2({ query: bad, documents: ["a"] }), 400, "empty_query", "invalid request: query must not be empty or be only whitespace");
    }
  });

  it("400 empty_documents for an empty list", async () => {
    assertError(await v2({ query, documents: [] }), 400, "empty_documents", "invalid request: list of documents must not be empty");
    assertError(await server.app.inject(postJson("/rerank", { query, texts: [] })), 400, "empty_documents");
  });

  it("400 empty_document names the index", async () => {
    assertError(await v2({ query, documents: ["a", "b", "c", "  "] }), 400, "empty_document", "invalid request: document at index 3 cannot be empty");
    assertError(await v1({ query, documents: ["a", { text: "" }] }), 400, "empty_document", "invalid request: document at index 1 cannot be empty");
  });

  it("400 invalid_document for a document that is neither a string nor an object, with the field path", async () => {
    const body = assertError(await v2({ query, documents: ["a", 5] }), 400, "invalid_document", "invalid request: documents[1] must be a string or an object, got 5");
    assert.deepEqual(body.issues?.map((issue) => issue.path), ["documents[1]"]);
    assertError(await v2({ query, documents: [null] }), 400, "invalid_document", /documents\[0\] must be a string or an object, got null/);
    assertError(await v1({ query, documents: [["nested"]] }), 400, "invalid_document", /got an array/);
    assertError(await server.app.inject(postJson("/rerank", { query, texts: ["a", 7] })), 400, "invalid_document", /texts\[1\] must be a string, got 7/);
  });

  it("400 invalid_document for an object without the rank field", async () => {
    assertError(await v1({ query, documents: [{ text: "a" }, { title: "no text" }] }), 400, "invalid_document", /document at index 1 has none of the rank fields \('text'\)/);
    assertError(await v1({ query, documents: [{ text: "a" }], rank_fields: ["title"] }), 400, "invalid_document", /\('title'\)/);
    assertError(await v2({ query, documents: [{ body: "x" }] }), 400, "invalid_document");
  });

  it("400 too_many_documents above the limit (default 10,000)", async () => {
    const documents = Array.from({ length: 10_001 }, () => "d");
    assertError(await v2({ query, documents }), 400, "too_many_documents", /too many documents: got 10001, the limit is 10000/);
    assertError(await server.app.inject(postJson("/rerank", { query, texts: documents })), 400, "too_many_documents");
  });

  it("400 too_many_chunks when documents × max_chunks_per_doc reaches 10,000 on v1", async () => {
    assertError(await v1({ query, documents: ["a", "b"], max_chunks_per_doc: 5000 }), 400, "too_many_chunks", /^invalid request: number of total max chunks \(number of documents \* max chunks per doc\) must be less than 10000/);
  });

  it("400 invalid_top_n for top_n below 1, fractional or not a number", async () => {
    assertError(await v2({ query, documents: ["a"], top_n: 0 }), 400, "invalid_top_n", "invalid request: top_n must be >= 1, got 0");
    assertError(await v2({ query, documents: ["a"], top_n: -3 }), 400, "invalid_top_n");
    assertError(await v1({ query, documents: ["a"], top_n: 1.5 }), 400, "invalid_top_n", "invalid request: top_n must be an integer, got 1.5");
    assertError(await v2({ query, documents: ["a"], top_n: "3" }), 400, "invalid_top_n", /top_n must be an integer, got "3"/);
  });

  it("400 invalid_rank_fields for an empty list or an empty name", async () => {
    assertError(await v1({ query, documents: ["a"], rank_fields: [] }), 400, "invalid_rank_fields", "invalid request: rank_fields must not be empty");
    assertError(await v1({ query, documents: ["a"], rank_fields: [""] }), 400, "invalid_rank_fields", /rank_fields\[0\]/);
  });

  it("400 invalid_request for missing or mistyped fields, with a list of issues", async () => {
    const missing = assertError(await v2({ documents: ["a"] }), 400, "invalid_request", "invalid request: query is required");
    assert.deepEqual(missing.issues, [{ path: "query", message: "is required", code: "invalid_request" }]);
    assertError(await v2({ query, documents: "a" }), 400, "invalid_request", "invalid request: documents must be an array, got \"a\"");
    assertError(await v2({ query, documents: ["a"], max_tokens_per_doc: 0 }), 400, "invalid_request", /max_tokens_per_doc must be >= 1/);
    assertError(await v1({ query, documents: ["a"], return_documents: "yes" }), 400, "invalid_request", /return_documents must be a boolean/);
    assertError(await v2([query]), 400, "invalid_request", "invalid request: body must be an object, got an array");
    assertError(await server.app.inject(postJson("/rerank", { query, texts: ["a"], truncation_direction: "Left" })), 400, "invalid_request", /truncation_direction/);
  });

  it("400 malformed_json for a body that does not parse, or is empty", async () => {
    const send = (payload: string) => server.app.inject({ method: "POST", url: "/v2/rerank", payload, headers: { "content-type": "application/json" } });
    assertError(await send(`{"query": "a", "documents": [`), 400, "malformed_json", /^invalid request: the body is not valid JSON: /);
    assertError(await send(""), 400, "malformed_json", "invalid request: the body is empty; send a JSON object");
    assertError(await send(`{"__proto__": {"x": 1}, "query": "a", "documents": ["b"]}`), 400, "malformed_json", /forbidden __proto__/);
  });

  it("404 model_not_found lists the served ids and aliases, Cohere-style", async () => {
    assertError(await v2({ model: "rerank-v9", query, documents: ["a"] }), 404, "model_not_found", "model 'rerank-v9' not found, make sure the correct model ID was used; this server serves: test/minilm-l6 (aliases: rerank-v3.5, rerank-english-v3.0)");
  });

  it("404 route_not_found for an unknown path", async () => {
    assertError(await server.app.inject({ method: "GET", url: "/v3/rerank" }), 404, "route_not_found", "no endpoint answers GET /v3/rerank; the API is described at GET /openapi.json");
  });

  it("415 unsupported_media_type for a body that is not JSON", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await server.app.inject({ method: "POST", url: "/v2/rerank", payload: "query=a", headers: { "content-type": contentType } });
      assertError(response, 415, "unsupported_media_type", /send the body as JSON with Content-Type: application\/json/);
    }
  });

  it("accepts JSON with a charset", async () => {
    const response = await server.app.inject({ method: "POST", url: "/v2/rerank", payload: JSON.stringify({ query, documents: ["a"] }), headers: { "content-type": "application/json; charset=utf-8" } });
    assert.equal(response.statusCode, 200);
  });

  it("431 headers_too_large and 400 invalid_request from Node's HTTP parser, in the catalog's shape, closing the connection", async () => {
    const headersTooLarge = await rawExchange(server.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    assertError(headersTooLarge, 431, "headers_too_large", /^invalid request: the request line and headers are larger than the limit of \d+ bytes; send fewer or shorter headers/);
    assert.equal(headersTooLarge.headers.connection, "close");
    const badRequestLine = await rawExchange(server.url, "GARBAGE\r\n\r\n");
    assertError(badRequestLine, 400, "invalid_request", "invalid request: the HTTP request is malformed: Invalid method encountered (HPE_INVALID_METHOD); send a well-formed HTTP/1.1 request");
  });

  it("408 client_timeout when Node's HTTP server gives up waiting for a request's headers or body", async () => {
    // Node raises this after headersTimeout (60 s by default); the test emits the same event on the listening server.
    const written: Buffer[] = [];
    const socket = new Duplex({ read: () => undefined, write: (chunk: Buffer, _encoding, done) => (written.push(chunk), done()) });
    socket.on("error", () => undefined);
    server.app.server.emit("clientError", Object.assign(new Error("Request timeout"), { code: "ERR_HTTP_REQUEST_TIMEOUT" }), socket);
    assert.equal(socket.destroyed, true);
    assertError(parseRawAnswer(Buffer.concat(written).toString()), 408, "client_timeout", /^the request was not received completely in time/);
  });

  it("400 invalid_request for a malformed percent-encoding in the path, without echoing the query string", async () => {
    const body = assertError(await server.app.inject({ method: "GET", url: "/v2/rerank%zz?api_key=secret" }), 400, "invalid_request", "invalid request: the URL path /v2/rerank%zz is not valid: it has a malformed percent-encoding; encode each reserved or non-ASCII byte as %XX");
    assert.ok(!JSON.stringify(body).includes("secret"));
  });

  it("503 shutting_down while draining; /ready says draining, /health still answers", async () => {
    const draining = await startTestServer({ model: ["test/tinybert-l2"] });
    try {
      draining.lifecycle.startDraining();
      const response = await draining.app.inject(postJson("/v2/rerank", { query, documents: ["a"] }));
      assertError(response, 503, "shutting_down", /shutting down/);
      assert.equal(response.headers.connection, "close");
      const ready = await draining.app.inject({ method: "GET", url: "/ready" });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().status, "draining");
      assert.equal((await draining.app.inject({ method: "GET", url: "/health" })).statusCode, 200);
    } finally {
      await draining.close();
    }
  });
});

describe("error statuses that need their own server settings", () => {
  it("400 model_required when several models are served and the request names none", async () => {
    const server = await startTestServer({ model: ["test/minilm-l6=fast", "test/tinybert-l2=tiny"] });
    try {
      assertError(await server.app.inject(postJson("/v2/rerank", { query, documents: ["a"] })), 400, "model_required", /model is required when several models are served; use one of: test\/minilm-l6 \(aliases: fast\); test\/tinybert-l2 \(aliases: tiny\)/);
      assert.equal((await server.app.inject(postJson("/v2/rerank", { model: "tiny", query, documents: ["a"] }))).statusCode, 200);
      // TEI has no model field: it uses the first served model.
      assert.equal((await server.app.inject(postJson("/rerank", { query, texts: ["a"] }))).statusCode, 200);
    } finally {
      await server.close();
    }
  });

  it("413 payload_too_large above --body-limit, and a configurable --max-documents", async () => {
    const server = await startTestServer({ model: ["test/tinybert-l2"], bodyLimit: "1kb", maxDocuments: "3" });
    try {
      const big = postJson("/v2/rerank", { query, documents: ["x".repeat(2000)] });
      assertError(await server.app.inject(big), 413, "payload_too_large", "invalid request: the body is larger than the limit of 1024 bytes; send fewer or shorter documents per request, or raise --body-limit");
      assertError(await server.app.inject(postJson("/v2/rerank", { query, documents: ["a", "b", "c", "d"] })), 400, "too_many_documents", /the limit is 3/);
    } finally {
      await server.close();
    }
  });

  it("429 queue_full at once with Retry-After when the queue is full", async () => {
    const server = await startTestServer({ model: ["test/tinybert-l2"], maxQueuedPairs: "8" });
    try {
      const documents = Array.from({ length: 8 }, (_, index) => `document ${index} about measurement`);
      const responses = await Promise.all(Array.from({ length: 6 }, () => server.app.inject(postJson("/v2/rerank", { query, documents }))));
      const rejected = responses.filter((response) => response.statusCode === 429);
      assert.ok(rejected.length > 0, `statuses: ${responses.map((response) => response.statusCode).join(",")}`);
      assert.ok(responses.some((response) => response.statusCode === 200));
      for (const response of rejected) {
        assertError(response, 429, "queue_full", /the scoring queue holds \d+ pairs and this request adds 8; the limit is 8 queued pairs/);
        assert.match(String(response.headers["retry-after"]), /^\d+$/);
      }
      // A request larger than the whole queue still runs when the queue is empty (the scheduler admits it alone).
      assert.equal((await server.app.inject(postJson("/v2/rerank", { query, documents: [...documents, ...documents] }))).statusCode, 200);
    } finally {
      await server.close();
    }
  });

  it("504 request_timeout after --request-timeout-ms, and the error says which limit", async () => {
    const server = await startTestServer({ model: ["test/tinybert-l2"], requestTimeoutMs: "1" });
    try {
      const documents = Array.from({ length: 400 }, (_, index) => `document ${index} `.repeat(30));
      assertError(await server.app.inject(postJson("/v2/rerank", { query, documents })), 504, "request_timeout", /did not finish within 1 ms .*--request-timeout-ms/);
      assert.equal(server.registry.served[0].reranker.queuedPairs, 0, "the timed-out request's pairs left the queue");
    } finally {
      await server.close();
    }
  });

  it("499 request_cancelled: a client that disconnects drops its queued pairs", async () => {
    const server = await startTestServer({ model: ["test/minilm-l6"] });
    try {
      const reranker = server.registry.served[0].reranker;
      const documents = Array.from({ length: 2000 }, (_, index) => `document ${index} `.repeat(40));
      const controller = new AbortController();
      const request = fetch(`${server.url}/v2/rerank`, { method: "POST", body: JSON.stringify({ query, documents }), headers: { "content-type": "application/json" }, signal: controller.signal });
      const deadline = Date.now() + 10_000;
      while ((reranker.queuedPairs ?? 0) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok((reranker.queuedPairs ?? 0) > 0, "the request reached the queue");
      controller.abort();
      await assert.rejects(request);
      const scrape = async () => (await server.app.inject({ method: "GET", url: "/metrics" })).body;
      // A series not written yet (no batch since load) reads as 0.
      const scoredPairs = async () => metricValue(await scrape(), "openrerank_batch_pairs_sum") || 0;
      // Wait until the model thread stops scoring (the batch in flight when the cancel arrived finishes first).
      let scored = await scoredPairs();
      while (Date.now() < deadline + 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const now = await scoredPairs();
        if (now === scored) break;
        scored = now;
      }
      assert.ok(scored < 1000, `only the batches already started were scored (${scored} pairs incl. warm-up), not the 2000 pairs asked for`);
      assert.equal(reranker.queuedPairs, 0);
      assert.equal(metricValue(await scrape(), "openrerank_http_requests_total", { route: "/v2/rerank", status: "499" }), 1);
      seen.add("request_cancelled");
    } finally {
      await server.close();
    }
  });

  it("503 models_loading (with Retry-After) until the models are loaded; /health answers meanwhile", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await startTestServer(
      { model: ["slow-model"] },
      {
        waitForModels: false,
        loadModel: async () => {
          await gate;
          return failingReranker(() => new Error("unused"));
        },
      },
    );
    try {
      assertError(await server.app.inject(postJson("/v2/rerank", { query, documents: ["a"] })), 503, "models_loading", /still loading its models/);
      assert.equal((await server.app.inject(postJson("/v2/rerank", { query, documents: ["a"] }))).headers["retry-after"], "5");
      assert.equal((await server.app.inject({ method: "GET", url: "/ready" })).statusCode, 503);
      assert.equal((await server.app.inject({ method: "GET", url: "/health" })).statusCode, 200);
      release();
      await server.modelsLoaded;
      assert.equal((await server.app.inject({ method: "GET", url: "/ready" })).statusCode, 200);
    } finally {
      await server.close();
    }
  });

  it("500 internal for an unexpected error: generic message with the request id, details only in the log", async () => {
    const logs = new PassThrough();
    const lines: string[] = [];
    logs.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
    const server = await startTestServer({ model: ["broken"], logLevel: "info" }, { logStream: logs, loadModel: async () => failingReranker(() => new TypeError("secret internal detail")) });
    try {
      const response = await server.app.inject(postJson("/v2/rerank", { query, documents: ["a"] }));
      const body = assertError(response, 500, "internal");
      assert.equal(body.message, `internal error: the server failed to handle this request; it was logged with request id ${body.request_id}`);
      assert.ok(!response.body.includes("secret internal detail"));
      const logged = lines.map((line) => JSON.parse(line) as { reqId?: string; err?: { message: string; stack: string }; level: number }).find((entry) => entry.err !== undefined);
      assert.equal(logged?.reqId, body.request_id);
      assert.equal(logged?.err?.message, "secret internal detail");
      assert.match(logged?.err?.stack ?? "", /TypeError/);
      assert.equal(logged?.level, 50);
    } finally {
      await server.close();
    }
  });

  it("a catalog error from the backend keeps its own status and message (500 invalid_score, 500 inference_failed, 502 backend_failed)", async () => {
    const failures: [ErrorCode, number, string][] = [
      ["invalid_score", 500, "the model produced a non-finite score (NaN) for document 0"],
      ["inference_failed", 500, "the model returned logits of shape [1, 3], expected [1, 1] from config.json."],
      ["backend_failed", 502, "the upstream model service answered 503 Service Unavailable"],
    ];
    for (const [code, status, message] of failures) {
      const server = await startTestServer({ model: [code] }, { loadModel: async () => failingReranker(() => new OpenRerankError(code, message, {})) });
      try {
        assertError(await server.app.inject(postJson("/v2/rerank", { query, documents: ["a"] })), status, code, message);
      } finally {
        await server.close();
      }
    }
  });

  it("every error code a rerank request can cause was exercised above (the list comes from the catalog)", () => {
    // Covered in their own files: `unauthorized` (401) in auth.test.ts; `request_too_large` (413) and `model_unavailable` (503)
    // in overload-and-faults.test.ts. Unknown routes are not rerank requests, but the 404 was exercised too.
    const coveredElsewhere: ErrorCode[] = ["unauthorized", "request_too_large", "model_unavailable"];
    const expected: ErrorCode[] = [...rerankErrorCodes.filter((code) => !coveredElsewhere.includes(code)), "route_not_found"];
    assert.deepEqual(expected.filter((code) => !seen.has(code)), []);
  });
});
