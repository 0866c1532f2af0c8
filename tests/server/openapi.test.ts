import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../../src/server/start-server.js";
import { startTestServer } from "../support/test-server.js";
import { errorCatalog } from "../../src/errors/catalog.js";
import { rerankErrorCodes } from "../../src/server/wire/error-body.js";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { securitySchemes: Record<string, unknown> };
}

describe("OpenAPI document and docs page", () => {
  let server: RunningServer;
  let document: OpenApiDocument;
  before(async () => {
    server = await startTestServer();
    const response = await server.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(response.statusCode, 200);
    document = response.json<OpenApiDocument>();
  });
  after(() => server.close());

  it("describes every public endpoint", () => {
    assert.equal(document.openapi, "3.1.0");
    for (const [path, method] of [["/v2/rerank", "post"], ["/v1/rerank", "post"], ["/rerank", "post"], ["/v1/models", "get"], ["/health", "get"], ["/ready", "get"], ["/metrics", "get"]]) {
      assert.ok(document.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
    }
    assert.ok(document.components.securitySchemes.bearerAuth);
  });

  it("generates request bodies from the validating schemas, constraints included", () => {
    const v2 = document.paths["/v2/rerank"].post.requestBody?.content["application/json"].schema;
    assert.deepEqual(v2?.required, ["query", "documents"]);
    assert.deepEqual(Object.keys(v2?.properties ?? {}).sort(), ["documents", "max_tokens_per_doc", "model", "priority", "query", "return_passages", "top_n", "window_overlap"]);
    assert.deepEqual(v2?.properties.top_n, { "x-error-code": "invalid_top_n", description: (v2?.properties.top_n as { description: string }).description, minimum: 1, type: "integer" });
    const v1 = document.paths["/v1/rerank"].post.requestBody?.content["application/json"].schema;
    for (const field of ["rank_fields", "return_documents", "max_chunks_per_doc", "return_passages", "window_overlap"]) assert.ok(v1?.properties[field], field);
    const tei = document.paths["/rerank"].post.requestBody?.content["application/json"].schema;
    for (const field of ["texts", "raw_scores", "return_text", "truncate", "truncation_direction"]) assert.ok(tei?.properties[field], field);
  });

  it("documents the error statuses the rerank routes answer", () => {
    for (const path of ["/v2/rerank", "/v1/rerank", "/rerank"]) {
      const documented = Object.keys(document.paths[path].post.responses);
      // Every status a rerank request can cause, read from the catalog: a new code's status cannot go undocumented.
      for (const code of rerankErrorCodes) assert.ok(documented.includes(String(errorCatalog[code].status)), `${path} documents ${code}'s ${errorCatalog[code].status}`);
      assert.ok(documented.includes("200") && documented.includes("502"), path);
      assert.deepEqual(document.paths[path].post.security, [{ bearerAuth: [] }]);
    }
  });

  it("serves the docs page", async () => {
    const page = await server.app.inject({ method: "GET", url: "/docs" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
    const json = await server.app.inject({ method: "GET", url: "/docs/json" });
    assert.deepEqual(json.json<OpenApiDocument>().paths["/v2/rerank"] !== undefined, true);
  });
});
