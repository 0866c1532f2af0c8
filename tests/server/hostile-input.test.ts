import assert from "node:assert/strict";
import net from "node:net";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { errorCatalog, type ErrorCode } from "../../src/errors/catalog.js";
import type { RunningServer } from "../../src/server/start-server.js";
import { startTestServer } from "../support/test-server.js";

/**
 * A data-driven matrix of bad input over every route, on a server without API keys and one
 * with them, then property-based fuzzing of the JSON endpoints. Every answer must be a client
 * error in the catalog's shape (never a 500), and a good request must still succeed after
 * each group.
 */

/** What bad input may cause: the caller's mistakes and the queue's 429; 431 only from Node's HTTP parser (headers too large). */
const errorStatuses = new Set([400, 401, 404, 413, 415, 429, 431]);
const key = "k1";
/** A secret-looking value sent in query strings: it must never reach the logs. */
const querySecret = "sk-live-QUERYSECRET-0123";
const bodyLimitBytes = 1024 * 1024;
const query = "what is measured?";
const goodTexts = ["a ruler measures length", "bread is baked"];

type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" | "HEAD";

interface Case {
  group: string;
  label: string;
  method: Method;
  url: string;
  /** The raw body, sent as given. */
  payload?: string;
  /** Headers on top of `content-type: application/json` (for a body) and the variant's key. */
  headers?: Record<string, string>;
  /** Send without the variant's key and without the default content type. */
  bare?: boolean;
  status: number;
  code?: ErrorCode;
  /** What the message must say, where the case pins it. */
  message?: RegExp;
}

interface Variant {
  name: "open" | "keyed";
  server: RunningServer;
  auth: Record<string, string>;
}

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** Problems with an error answer: its status, and the catalog's shape `{ message, code, request_id, issues? }`. */
function errorShapeProblems(answer: Answer, expected?: { status?: number; code?: ErrorCode; message?: RegExp }): string[] {
  const problems: string[] = [];
  if (answer.statusCode >= 500) problems.push(`status ${answer.statusCode} is a server error`);
  else if (!errorStatuses.has(answer.statusCode)) problems.push(`status ${answer.statusCode} is not one of ${[...errorStatuses].join("/")}`);
  if (expected?.status !== undefined && answer.statusCode !== expected.status) problems.push(`status ${answer.statusCode}, expected ${expected.status}`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return [...problems, `the body is not JSON: ${answer.body.slice(0, 200)}`];
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [...problems, `the body is not an object: ${answer.body.slice(0, 200)}`];
  const unexpected = Object.keys(body).filter((field) => !["message", "code", "request_id", "issues", "error", "error_type"].includes(field));
  if (unexpected.length > 0) problems.push(`unexpected fields ${unexpected.join(", ")}`);
  if (typeof body.message !== "string" || body.message.length === 0) problems.push("no message");
  else if (expected?.message !== undefined && !expected.message.test(body.message)) problems.push(`message ${JSON.stringify(body.message)} does not match ${String(expected.message)}`);
  const code = body.code;
  if (typeof code !== "string" || !Object.hasOwn(errorCatalog, code)) problems.push(`code ${JSON.stringify(code)} is not in the catalog`);
  else if (errorCatalog[code as ErrorCode].status !== answer.statusCode) problems.push(`code ${code} has status ${errorCatalog[code as ErrorCode].status} in the catalog, answered ${answer.statusCode}`);
  if (expected?.code !== undefined && code !== expected.code) problems.push(`code ${String(code)}, expected ${expected.code}`);
  if (typeof body.request_id !== "string" || body.request_id.length === 0 || body.request_id !== answer.headers["x-request-id"]) {
    problems.push(`request_id ${JSON.stringify(body.request_id)} differs from x-request-id ${String(answer.headers["x-request-id"])}`);
  }
  if (body.issues !== undefined) {
    if (!Array.isArray(body.issues) || body.issues.length === 0) problems.push("issues is not a non-empty array");
    else {
      for (const issue of body.issues as Record<string, unknown>[]) {
        if (typeof issue.path !== "string" || typeof issue.message !== "string" || typeof issue.code !== "string" || !Object.hasOwn(errorCatalog, issue.code)) {
          problems.push(`malformed issue ${JSON.stringify(issue).slice(0, 200)}`);
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

/** A JSON value written as raw text in a payload (numbers JSON.stringify cannot write: 1e400, -0). */
class Raw {
  constructor(readonly text: string) {}
}

const rawMarker = "@@raw@@";

/** JSON text of `body`, with `Raw` values written verbatim. */
function payloadOf(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (value instanceof Raw) {
      raws.push(value.text);
      return `${rawMarker}${raws.length - 1}`;
    }
    return value;
  });
  return text.replace(new RegExp(`"${rawMarker}(\\d+)"`, "g"), (_match, index: string) => raws[Number(index)]);
}

const routes = {
  v2: { url: "/v2/rerank", base: { query, documents: goodTexts } },
  v1: { url: "/v1/rerank", base: { query, documents: [{ title: "Rulers", text: goodTexts[0] }, goodTexts[1]] } },
  tei: { url: "/rerank", base: { query, texts: goodTexts } },
} as const;
type RouteName = keyof typeof routes;

/** A wrong value for a field, with what it must cause. */
type Wrong = [value: unknown, status: number, code: ErrorCode];

const notStrings = [true, 0, 1.5, -1, [], {}, ["x"], { a: 1 }, new Raw("1e400")];
const notBooleans = [0, 1, "true", "false", "", "yes", [], {}, [true], new Raw("-0")];
const notPositiveIntegers = [0, -1, 1.5, "3", true, [], {}, [1], -0.5, 1e-7, new Raw("1e400"), new Raw("-1e400"), new Raw("1e-400"), new Raw("-0"), new Raw("2.0000000000000001e-300")];

const typeErrors = (values: readonly unknown[], code: ErrorCode = "invalid_request"): Wrong[] => values.map((value) => [value, 400, code]);

const queryWrongs: Wrong[] = [
  ...typeErrors(notStrings),
  ...["", " ", "\t\n\r", "\u3000", "\u00a0", "\ufeff", "\u2028\u2029", " \u200a "].map((value): Wrong => [value, 400, "empty_query"]),
];
const modelWrongs: Wrong[] = [
  ...typeErrors(notStrings),
  ...["nope", "a/..", "../../etc/passwd", "/etc/passwd", "\u0000", "😀", "\ud800", "rerank-v3.5 ", "TEST/TINYBERT-L2", "constructor", "__proto__", "toString", "hasOwnProperty", "m".repeat(20_000), "test/tinybert-l2\u200b"].map(
    (value): Wrong => [value, 404, "model_not_found"],
  ),
];
const sharedDocumentWrongs: Wrong[] = [
  ...typeErrors(["a", 5, true, {}, { text: "a" }, new Raw("1e400")]),
  [[], 400, "empty_documents"],
  ...[[5], [true], [null], [[]], [["a"]], ["a", 7], [new Raw("-0")]].map((value): Wrong => [value, 400, "invalid_document"]),
  ...[[""], [" "], ["\u3000"], ["a", "\n\t"], ["\ufeff"], [{ text: "" }], [{ text: "  " }]].map((value): Wrong => [value, 400, "empty_document"]),
  ...[[{}], [{ body: "x" }], [{ text: null }], [{ Text: "x" }]].map((value): Wrong => [value, 400, "invalid_document"]),
];
const wrongsByRoute: Record<RouteName, Record<string, Wrong[]>> = {
  v2: {
    query: queryWrongs,
    model: modelWrongs,
    documents: [
      ...sharedDocumentWrongs,
      // v2 ranks an object's text, which must be a string.
      ...[[{ text: 5 }], [{ text: true }], [{ text: [] }], [{ text: {} }], [{ text: ["a"] }], [{ text: { a: "b" } }], ["a", { text: [null] }]].map((value): Wrong => [value, 400, "invalid_document"]),
    ],
    top_n: typeErrors(notPositiveIntegers, "invalid_top_n"),
    max_tokens_per_doc: typeErrors(notPositiveIntegers),
    priority: typeErrors([1.5, "1", true, [], {}, new Raw("1e400"), new Raw("-1e400")]),
    return_passages: typeErrors(notBooleans),
    window_overlap: typeErrors([-1, 1.5, "1", true, [], {}, new Raw("1e400"), new Raw("-1e400")]),
  },
  v1: {
    query: queryWrongs,
    model: modelWrongs,
    documents: [
      ...sharedDocumentWrongs,
      // Fields that hold no text make an empty document.
      ...[[{ text: [] }], [{ text: {} }], [{ text: [null] }], [{ text: ["", " "] }], [{ text: { a: [] } }]].map((value): Wrong => [value, 400, "empty_document"]),
    ],
    rank_fields: [
      ...typeErrors(["text", 5, true, {}, [], [""], [5], [null], [[]], [{}]], "invalid_rank_fields"),
      // Names an object inherits are no fields: only own properties are ranked.
      ...[["constructor"], ["__proto__"], ["toString"], ["hasOwnProperty"], ["valueOf"], ["missing"], ["\u0000"], ["😀"], ["text "], ["TEXT"], ["text.x"]].map((value): Wrong => [value, 400, "invalid_document"]),
    ],
    top_n: typeErrors(notPositiveIntegers, "invalid_top_n"),
    return_documents: typeErrors(notBooleans),
    max_chunks_per_doc: [...typeErrors(notPositiveIntegers), [5000, 400, "too_many_chunks"], [1e308, 400, "too_many_chunks"]],
    return_passages: typeErrors(notBooleans),
    window_overlap: typeErrors([-1, 1.5, "1", true, [], {}, new Raw("1e400")]),
  },
  tei: {
    query: queryWrongs,
    model: modelWrongs,
    texts: [
      ...typeErrors(["a", 5, true, {}, new Raw("1e400")]),
      [[], 400, "empty_documents"],
      ...[[5], [null], [true], [[]], [{ text: "a" }], ["a", 7]].map((value): Wrong => [value, 400, "invalid_document"]),
      ...[[""], [" "], ["\u3000"], ["a", "\r\n"]].map((value): Wrong => [value, 400, "empty_document"]),
    ],
    raw_scores: typeErrors(notBooleans),
    return_text: typeErrors(notBooleans),
    truncate: typeErrors(notBooleans),
    truncation_direction: typeErrors(["Left", "left", "", "RIGHT", "Ｒｉｇｈｔ", 5, [], {}, ["Right"]]),
  },
};

const malformedBodies = [
  "{",
  "}",
  "[",
  '{"query":',
  '{"query": "a", "documents": [',
  '{"query": "a",}',
  '{"query": "a" "documents": []}',
  "{'query': 'a'}",
  '{query: "a"}',
  '{"query": NaN}',
  '{"query": "a", "documents": ["b"], "top_n": Infinity}',
  '{"query": "a", "documents": ["b"], "top_n": -Infinity}',
  '{"query": "a", "documents": ["b"], "top_n": 0x10}',
  '{"query": "a", "documents": ["b"], "top_n": 01}',
  '{"query": "a", "documents": ["b"], "top_n": +1}',
  '{"query": "a", "documents": ["b"], "top_n": 1.}',
  '{"query": "a\\x41"}',
  '{"query": "a\u0001"}',
  '{"query": "\\ud800\\u"}',
  '{"a":1}}',
  '{"query": "a"} {"query": "b"}',
  "// comment\n{}",
  "nul",
  "tru",
  '"unterminated',
  "\u0000",
  "{\u0000}",
  "\ufeff\ufeff{}",
  "\u00ff\u00fe{}",
  "[".repeat(5000),
  // Bodies that parse but are no request object.
  "null",
  "true",
  "123",
  '"a string"',
  "[]",
  '[{"query": "a"}]',
  "{}",
  // Empty bodies.
  "",
  "   \n\t ",
];
const malformedCodes: Record<string, ErrorCode> = { "null": "invalid_request", "true": "invalid_request", "123": "invalid_request", '"a string"': "invalid_request", "[]": "invalid_request", '[{"query": "a"}]': "invalid_request", "{}": "invalid_request" };

const contentTypes = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx", "application/vnd.api+json", "json", "text/json", "application/ json", "application/javascript"];

/** Deeply nested values, built without recursion. */
function nestedObject(levels: number, leaf: unknown = "x"): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}
/** `{"a":{"a":…"x"…}}` as text: JSON.stringify itself overflows the stack on the deepest ones. */
function nestedObjectText(levels: number): string {
  return `${'{"a":'.repeat(levels)}"x"${"}".repeat(levels)}`;
}
function nestedList(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
}
function nestedArrayText(levels: number): string {
  return `${"[".repeat(levels)}${"]".repeat(levels)}`;
}

function buildMatrix(variant: Variant["name"]): Case[] {
  const cases: Case[] = [];
  const add = (group: string, label: string, request: Omit<Case, "group" | "label">) => cases.push({ group, label, ...request });

  for (const [name, route] of Object.entries(routes) as [RouteName, (typeof routes)[RouteName]][]) {
    // Malformed JSON, and JSON that is no request object.
    for (const payload of malformedBodies) {
      add("malformed JSON", `${name} ${JSON.stringify(payload.slice(0, 40))}`, { method: "POST", url: route.url, payload, status: 400, code: malformedCodes[payload] ?? "malformed_json" });
    }
    // Bodies that are not JSON by their content type.
    for (const contentType of contentTypes) {
      add("content types", `${name} ${contentType}`, { method: "POST", url: route.url, payload: payloadOf(route.base), headers: { "content-type": contentType }, status: 415, code: "unsupported_media_type" });
    }
    add("content types", `${name} no content type`, { method: "POST", url: route.url, payload: payloadOf(route.base), headers: { "content-type": "" }, status: 415, code: "unsupported_media_type" });

    // Wrong types and values for every field.
    for (const [field, wrongs] of Object.entries(wrongsByRoute[name])) {
      for (const [value, status, code] of wrongs) {
        const payload = payloadOf({ ...route.base, [field]: value });
        add("wrong field values", `${name} ${field}=${payload.length > 80 ? `${payload.slice(0, 80)}…` : payload}`, { method: "POST", url: route.url, payload, status, code });
      }
    }
    // Messages say what was wrong, with which value, and what is allowed.
    const pinned: Record<RouteName, [Record<string, unknown>, ErrorCode, RegExp][]> = {
      v2: [[{ documents: ["a", { text: [] }] }, "invalid_document", /^invalid request: documents\[1\]\.text must be a string, got an empty array; /]],
      v1: [
        [{ documents: [{ text: "a" }], rank_fields: ["constructor"] }, "invalid_document", /^invalid request: document at index 0 has none of the rank fields \('constructor'\); /],
        [{ documents: [{ text: "a" }], rank_fields: ["__proto__", "toString"] }, "invalid_document", /has none of the rank fields \('__proto__', 'toString'\)/],
      ],
      tei: [[{ truncation_direction: "Left" }, "invalid_request", /^invalid request: truncation_direction must be "Right" or "right", got "Left"$/]],
    };
    for (const [fields, code, message] of pinned[name]) {
      add("wrong field values", `${name} ${JSON.stringify(fields)} (message)`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, ...fields }), status: 400, code, message });
    }
    // Required fields missing.
    for (const field of Object.keys(route.base)) {
      const body: Record<string, unknown> = { ...route.base };
      delete body[field];
      add("wrong field values", `${name} without ${field}`, { method: "POST", url: route.url, payload: payloadOf(body), status: 400, code: "invalid_request" });
      add("wrong field values", `${name} ${field}=null`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, [field]: null }), status: 400, code: "invalid_request" });
    }

    // Prototype-pollution keys: rejected while parsing, wherever they sit.
    const documentsField = name === "tei" ? "texts" : "documents";
    for (const poisoned of [
      `{"__proto__": {"polluted": true}, "query": "a", "${documentsField}": ["b"]}`,
      `{"query": "a", "${documentsField}": ["b"], "__proto__": null}`,
      `{"constructor": {"prototype": {"polluted": true}}, "query": "a", "${documentsField}": ["b"]}`,
      `{"query": "a", "${documentsField}": [{"text": "b", "__proto__": {"x": 1}}]}`,
      `{"query": "a", "${documentsField}": [{"text": "b", "constructor": {"prototype": {}}}]}`,
      `{"query": "a", "\\u005f_proto__": {"x": 1}, "${documentsField}": ["b"]}`,
    ]) {
      add("prototype pollution", `${name} ${poisoned.slice(0, 60)}`, { method: "POST", url: route.url, payload: poisoned, status: 400, code: "malformed_json" });
    }

    // Deep nesting: a 500 (stack overflow) before; now a clean 400.
    const deep: [string, string, ErrorCode, RegExp?][] = [
      [`query [x5000]`, `{"query": ${nestedArrayText(5_000)}, "${documentsField}": ["b"]}`, "invalid_request", /^invalid request: query must be a string, got an array$/],
      [`${documentsField} [x50000]`, `{"query": "a", "${documentsField}": ${nestedArrayText(50_000)}}`, "invalid_document"],
      [`${documentsField}[0] [x50000]`, `{"query": "a", "${documentsField}": [${nestedArrayText(50_000)}]}`, "invalid_document"],
      [`body {a: x2000} without query`, nestedObjectText(2_000), "invalid_request"],
    ];
    // On v2 an object's text must be a string; on v1 ranked fields flatten, at most 32 levels deep.
    const tooDeep = (path: string) => new RegExp(`nests objects and lists deeper than 32 levels, at ${path.replace(/[[\].]/g, "\\$&")}(\\.a)*;`);
    const v2Text = (index: number, got: string) => new RegExp(`^invalid request: documents\\[${index}\\]\\.text must be a string, got ${got};`);
    if (name !== "tei") {
      deep.push([`documents[0].text {a: x2000}`, `{"query": "a", "documents": [{"text": ${nestedObjectText(2_000)}}]}`, "invalid_document", name === "v2" ? v2Text(0, "an object") : tooDeep("documents[0].text")]);
      deep.push([`documents[1].text {a: x100000}`, `{"query": "a", "documents": ["b", {"text": ${nestedObjectText(100_000)}}]}`, "invalid_document", name === "v2" ? v2Text(1, "an object") : tooDeep("documents[1].text")]);
      deep.push([`documents[0].text [x2000]`, `{"query": "a", "documents": [{"text": ${nestedArrayText(2_000)}}]}`, "invalid_document", name === "v2" ? v2Text(0, "an array") : /deeper than 32 levels, at documents\[0\]\.text(\[0\])+;/]);
    }
    if (name === "v1") {
      deep.push([`rank_fields of a deep field`, payloadOf({ query, documents: [{ title: "t", meta: nestedObject(40) }], rank_fields: ["title", "meta"] }), "invalid_document", tooDeep("documents[0].meta")]);
      deep.push([`deep list of objects`, payloadOf({ query, documents: [{ items: nestedList(40, { a: 1 }) }], rank_fields: ["items"] }), "invalid_document", /deeper than 32 levels, at documents\[0\]\.items(\[0\])+;/]);
    }
    for (const [label, payload, code, message] of deep) add("deep nesting", `${name} ${label}`, { method: "POST", url: route.url, payload, status: 400, code, message });

    // Oversized arrays within the body limit, and bodies over it.
    const manyTexts = Array.from({ length: 10_001 }, () => "d");
    add("oversized arrays", `${name} 10,001 documents`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, [documentsField]: manyTexts }), status: 400, code: "too_many_documents" });
    add("oversized arrays", `${name} 10,001 empty documents`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, [documentsField]: manyTexts.map(() => "") }), status: 400, code: "too_many_documents" });
    add("oversized arrays", `${name} body over the limit`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, [documentsField]: ["x".repeat(bodyLimitBytes)] }), status: 413, code: "payload_too_large" });
    add("oversized arrays", `${name} many small documents over the limit`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, [documentsField]: Array.from({ length: 200_000 }, () => "abcdef") }), status: 413, code: "payload_too_large" });
    add("oversized arrays", `${name} 9,000 documents, one empty`, { method: "POST", url: route.url, payload: payloadOf({ ...route.base, [documentsField]: [...manyTexts.slice(0, 8_999), " "], ...(name === "v1" ? { max_chunks_per_doc: 1 } : {}) }), status: 400, code: "empty_document" });
    if (name === "v1") {
      add("oversized arrays", "v1 10,000 documents × 1 chunk", { method: "POST", url: route.url, payload: payloadOf({ ...route.base, documents: manyTexts.slice(0, 10_000), max_chunks_per_doc: 1 }), status: 400, code: "too_many_chunks" });
      add("oversized arrays", "v1 50,000 rank_fields, none present", { method: "POST", url: route.url, payload: payloadOf({ ...route.base, documents: [{ text: "a" }], rank_fields: Array.from({ length: 50_000 }, (_, index) => `f${index}`) }), status: 400, code: "invalid_document" });
      add("oversized arrays", "v1 a document with 50,000 keys, none ranked", { method: "POST", url: route.url, payload: payloadOf({ ...route.base, documents: [Object.fromEntries(Array.from({ length: 50_000 }, (_, index) => [`k${index}`, index]))] }), status: 400, code: "invalid_document" });
    }

    // Duplicate keys: the last one wins, as in JSON.parse, and is validated.
    const duplicates: [string, ErrorCode][] = [
      [`{"query": "a", "query": "", "${documentsField}": ["b"]}`, "empty_query"],
      [`{"query": "a", "query": 5, "${documentsField}": ["b"]}`, "invalid_request"],
      [`{"query": "a", "${documentsField}": ["b"], "${documentsField}": []}`, "empty_documents"],
      [`{"query": "a", "${documentsField}": ["b"], "${documentsField}": [""]}`, "empty_document"],
      [`{"query": "a", "${documentsField}": ["b"], "${documentsField}": "b"}`, "invalid_request"],
    ];
    if (name !== "tei") duplicates.push([`{"query": "a", "documents": ["b"], "top_n": 1, "top_n": 0}`, "invalid_top_n"]);
    if (name === "v1") duplicates.push([`{"query": "a", "documents": [{"text": "b", "text": null}]}`, "invalid_document"]);
    for (const [payload, code] of duplicates) add("duplicate keys", `${name} ${payload}`, { method: "POST", url: route.url, payload, status: 400, code });

    // Other methods on the route.
    for (const method of ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"] as const) {
      add("methods and routes", `${method} ${route.url}`, { method, url: route.url, status: 404, code: "route_not_found" });
    }
  }

  // GET routes: other methods, with and without bodies.
  for (const url of ["/v1/models", "/health", "/ready", "/metrics"]) {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"] as const) {
      add("methods and routes", `${method} ${url}`, { method, url, status: 404, code: "route_not_found" });
    }
    add("methods and routes", `POST ${url} with a malformed body`, { method: "POST", url, payload: "{", status: 404, code: "route_not_found" });
    add("methods and routes", `GET ${url} with a malformed percent-encoding`, { method: "GET", url: `${url}%zz`, status: 400, code: "invalid_request" });
    add("methods and routes", `GET ${url} with an overlong UTF-8 escape`, { method: "GET", url: `${url}/%c0%af`, status: 400, code: "invalid_request" });
    add("methods and routes", `GET ${url}/ (trailing slash)`, { method: "GET", url: `${url}/`, status: 404, code: "route_not_found" });
    add("methods and routes", `GET ${url.toUpperCase()}`, { method: "GET", url: url.toUpperCase(), status: 404, code: "route_not_found" });
  }
  // Unknown routes.
  for (const url of [
    "/",
    "/v3/rerank",
    "/v2/rerank/",
    "/v2//rerank",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/v2/rerank%00",
    "/docs/static/../../../package.json",
    `/${"a".repeat(50_000)}`,
    "/😀",
    "/%F0%9F%98%80",
    "/__proto__",
    "/constructor",
    `/v2/rerank?api_key=${querySecret}`.replace("/v2/rerank", "/v9/rerank"),
  ]) {
    for (const method of ["GET", "POST"] as const) {
      const payload = method === "POST" ? payloadOf(routes.v2.base) : undefined;
      add("methods and routes", `${method} ${url.slice(0, 60)}`, { method, url, payload, status: 404, code: "route_not_found" });
    }
  }

  if (variant === "keyed") {
    // Keys are read from the Authorization header only, checked before the body is read.
    const protectedRequests: { label: string; method: Method; url: string; payload?: string }[] = [
      { label: "v2", method: "POST", url: "/v2/rerank", payload: payloadOf(routes.v2.base) },
      { label: "v1", method: "POST", url: "/v1/rerank", payload: payloadOf(routes.v1.base) },
      { label: "tei", method: "POST", url: "/rerank", payload: payloadOf(routes.tei.base) },
      { label: "v2 malformed", method: "POST", url: "/v2/rerank", payload: "{" },
      { label: "models", method: "GET", url: "/v1/models" },
      { label: "metrics", method: "GET", url: "/metrics" },
      { label: "unknown", method: "GET", url: "/v3/rerank" },
    ];
    const headerVariants: Record<string, string>[] = [
      {},
      { authorization: "" },
      { authorization: "Bearer" },
      { authorization: "Bearer " },
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${key.toUpperCase()}` },
      { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
      { authorization: key },
      { authorization: `Bearer ${key} ${key}` },
      { authorization: `Bearer ${key}x` },
      { authorization: `Token ${key}` },
      { authorization: `Bearer ${"k".repeat(8_000)}` },
      { authorization: `Bearer ${key}\u00e9` },
      { "x-api-key": key },
      { cookie: `api_key=${key}` },
    ];
    for (const request of protectedRequests) {
      for (const headers of headerVariants) {
        const contentType: Record<string, string> = request.payload === undefined ? {} : { "content-type": "application/json" };
        add("auth", `${request.label} ${JSON.stringify(headers).slice(0, 60)}`, { ...request, headers: { ...contentType, ...headers }, bare: true, status: 401, code: "unauthorized" });
      }
      for (const parameter of ["api_key", "token", "access_token", "key", "apikey"]) {
        const contentType: Record<string, string> = request.payload === undefined ? {} : { "content-type": "application/json" };
        add("auth", `${request.label} ?${parameter}=<key>`, { ...request, url: `${request.url}?${parameter}=${key}&secret=${querySecret}`, headers: contentType, bare: true, status: 401, code: "unauthorized" });
      }
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// HTTP-layer cases: bytes Node's parser rejects before Fastify sees a request
// ---------------------------------------------------------------------------------------------

const rawRequests: { label: string; bytes: string; status: number; code: ErrorCode }[] = [
  { label: "garbage request line", bytes: "GARBAGE\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "invalid method", bytes: "G@T /health HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "invalid version", bytes: "GET /health HTTP/9.9\r\nHost: x\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "space in the target", bytes: "GET /he alth HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "NUL in the target", bytes: "GET /health\u0000 HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "invalid header name", bytes: `GET /health?token=${querySecret} HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n`, status: 400, code: "invalid_request" },
  { label: "headers over the limit", bytes: `GET /health HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${querySecret}\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, status: 431, code: "headers_too_large" },
  { label: "Content-Length with Transfer-Encoding", bytes: "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "invalid Content-Length", bytes: "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", status: 400, code: "invalid_request" },
  { label: "two Content-Lengths", bytes: "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", status: 400, code: "invalid_request" },
];

/** Sends raw bytes and reads the answer until the server closes the connection. */
function sendRaw(url: string, bytes: string): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error("no answer within 5 s")), 5_000);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const [head, ...rest] = text.split("\r\n\r\n");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status === null) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const headers = Object.fromEntries(
        head
          .split("\r\n")
          .slice(1)
          .map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
      );
      resolve({ statusCode: Number(status[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.write(bytes);
  });
}

// ---------------------------------------------------------------------------------------------
// Fuzzing
// ---------------------------------------------------------------------------------------------

const shortText = fc.string({ maxLength: 12, unit: "binary" });
const anyJson = fc.jsonValue({ maxDepth: 3 });
const oddKeys = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "text", "", "top_n"), shortText);
const objectFields = fc.constantFrom("text", "title", "body", "tags", "meta", "constructor", "toString");
const plausibleText = fc.oneof({ arbitrary: shortText, weight: 3 }, { arbitrary: fc.constantFrom("what is measured?", "a ruler measures length", " ", "", "\u200b"), weight: 1 });

/** Each route's fields, with a plausible value for each (valid or nearly so), and the required ones. */
const fuzzFields: Record<RouteName, { required: string[]; plausible: Record<string, fc.Arbitrary<unknown>> }> = {
  v2: {
    required: ["query", "documents"],
    plausible: {
      model: fc.constantFrom("test/tinybert-l2", "test/tinybert-l2", "rerank-v3.5", ""),
      query: plausibleText,
      documents: fc.array(fc.oneof({ arbitrary: plausibleText, weight: 5 }, { arbitrary: fc.record({ text: plausibleText, id: anyJson }, { requiredKeys: ["text"] }), weight: 2 }), { minLength: 1, maxLength: 6 }),
      top_n: fc.integer({ min: 0, max: 8 }),
      max_tokens_per_doc: fc.integer({ min: 0, max: 600 }),
      priority: fc.integer(),
      return_passages: fc.boolean(),
      window_overlap: fc.integer({ min: 0, max: 300 }),
    },
  },
  v1: {
    required: ["query", "documents"],
    plausible: {
      model: fc.constantFrom("test/tinybert-l2", "test/tinybert-l2", "rerank-english-v3.0", ""),
      query: plausibleText,
      documents: fc.array(fc.oneof({ arbitrary: plausibleText, weight: 3 }, { arbitrary: fc.dictionary(objectFields, fc.oneof(plausibleText, anyJson), { minKeys: 1, maxKeys: 4 }), weight: 3 }), {
        minLength: 1,
        maxLength: 6,
      }),
      top_n: fc.integer({ min: 0, max: 8 }),
      rank_fields: fc.uniqueArray(fc.oneof(objectFields, fc.constantFrom("__proto__", "")), { minLength: 1, maxLength: 3 }),
      return_documents: fc.boolean(),
      max_chunks_per_doc: fc.integer({ min: 0, max: 3_000 }),
      return_passages: fc.boolean(),
      window_overlap: fc.integer({ min: 0, max: 300 }),
    },
  },
  tei: {
    required: ["query", "texts"],
    plausible: {
      model: fc.constantFrom("test/tinybert-l2", ""),
      query: plausibleText,
      texts: fc.array(plausibleText, { minLength: 1, maxLength: 6 }),
      raw_scores: fc.boolean(),
      return_text: fc.boolean(),
      truncate: fc.boolean(),
      truncation_direction: fc.constantFrom("Right", "right", "Left"),
    },
  },
};

/** Bodies for a route: mostly nearly valid (each field plausible, now and then anything), sometimes wild (any field anything, or absent). */
function fuzzBody(route: RouteName): fc.Arbitrary<Record<string, unknown>> {
  const { required, plausible } = fuzzFields[route];
  const mix = (weight: number) => Object.fromEntries(Object.entries(plausible).map(([name, value]) => [name, fc.oneof({ arbitrary: value, weight }, { arbitrary: anyJson, weight: 1 })]));
  return fc.oneof({ arbitrary: fc.record(mix(30), { requiredKeys: required }), weight: 4 }, { arbitrary: fc.record(mix(1), { requiredKeys: [] }), weight: 1 });
}

/** A body as text: the JSON as is (most often), with odd extra keys, cut short, or with a character spliced in. */
const fuzzPayload = (route: RouteName) =>
  fc
    .tuple(fuzzBody(route), fc.dictionary(oddKeys, anyJson, { maxKeys: 2 }), fc.constantFrom("as is", "as is", "as is", "as is", "as is", "extra keys", "extra keys", "cut", "spliced"), fc.nat(), fc.string({ minLength: 1, maxLength: 2, unit: "binary" }))
    .map(([body, extra, mutation, at, splice]) => {
      const text = JSON.stringify(mutation === "extra keys" ? { ...extra, ...body } : body);
      const position = at % (text.length + 1);
      if (mutation === "cut") return text.slice(0, position);
      if (mutation === "spliced") return `${text.slice(0, position)}${splice}${text.slice(position)}`;
      return text;
    });

// ---------------------------------------------------------------------------------------------

describe("hostile input: every route answers bad input with a catalog error, never a 500", () => {
  const variants: Variant[] = [];
  const logLines: string[] = [];
  const counted = { matrix: 0, raw: 0, fuzz: 0 };

  before(async () => {
    const logs = new PassThrough();
    logs.on("data", (chunk: Buffer) => logLines.push(chunk.toString()));
    const common = { model: ["test/tinybert-l2"], bodyLimit: "1mb" };
    const [open, keyed] = await Promise.all([startTestServer(common), startTestServer({ ...common, apiKey: [key], logLevel: "info" }, { logStream: logs })]);
    variants.push({ name: "open", server: open, auth: {} }, { name: "keyed", server: keyed, auth: { authorization: `Bearer ${key}` } });
  });
  after(async () => {
    await Promise.all(variants.map((variant) => variant.server.close()));
  });

  /** Good requests on every route still succeed. */
  async function assertStillServing(variant: Variant, after: string): Promise<void> {
    const inject = (method: Method, url: string, body?: unknown) =>
      variant.server.app.inject({ method, url, ...(body === undefined ? {} : { payload: payloadOf(body) }), headers: { ...variant.auth, ...(body === undefined ? {} : { "content-type": "application/json" }) } });
    const v2 = await inject("POST", "/v2/rerank", routes.v2.base);
    assert.equal(v2.statusCode, 200, `${variant.name}, after ${after}: ${v2.body}`);
    assert.equal(v2.json<{ results: unknown[] }>().results.length, 2);
    const v1 = await inject("POST", "/v1/rerank", { ...routes.v1.base, rank_fields: ["title", "text"], return_documents: true });
    assert.equal(v1.statusCode, 200, `${variant.name}, after ${after}: ${v1.body}`);
    assert.deepEqual(v1.json<{ results: { document: unknown }[] }>().results.map((result) => result.document).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [{ text: goodTexts[1] }, routes.v1.base.documents[0]]);
    const tei = await inject("POST", "/rerank", routes.tei.base);
    assert.equal(tei.statusCode, 200, `${variant.name}, after ${after}: ${tei.body}`);
    for (const url of ["/v1/models", "/health", "/ready", "/metrics"]) {
      const response = await inject("GET", url);
      assert.equal(response.statusCode, 200, `${variant.name}, after ${after}: GET ${url} ${response.body.slice(0, 200)}`);
    }
  }

  for (const variantName of ["open", "keyed"] as const) {
    describe(`${variantName === "open" ? "without" : "with"} API keys`, () => {
      const cases = buildMatrix(variantName);
      const groups = [...new Set(cases.map((testCase) => testCase.group))];
      const variant = () => variants.find((candidate) => candidate.name === variantName) as Variant;

      for (const group of groups) {
        it(`${group} (${cases.filter((testCase) => testCase.group === group).length} cases)`, async () => {
          const failures: string[] = [];
          for (const testCase of cases.filter((candidate) => candidate.group === group)) {
            const headers = { ...(testCase.bare ? {} : variant().auth), ...(testCase.payload === undefined || testCase.bare ? {} : { "content-type": "application/json" }), ...testCase.headers };
            const response = await variant().server.app.inject({ method: testCase.method, url: testCase.url, headers, ...(testCase.payload === undefined ? {} : { payload: testCase.payload }) });
            const problems = errorShapeProblems(response, testCase);
            if (problems.length > 0) failures.push(`${testCase.label}: ${problems.join("; ")} — ${response.body.slice(0, 300)}`);
            counted.matrix++;
          }
          assert.deepEqual(failures, []);
          await assertStillServing(variant(), group);
        });
      }

      it(`HTTP-layer errors from Node's parser (${rawRequests.length} cases) get the catalog's shape`, async () => {
        const failures: string[] = [];
        for (const request of rawRequests) {
          const answer = await sendRaw(variant().server.url, request.bytes);
          const problems = errorShapeProblems(answer, request);
          if (answer.headers.connection !== "close") problems.push("no connection: close");
          if (problems.length > 0) failures.push(`${request.label}: ${problems.join("; ")} — ${answer.body.slice(0, 300)}`);
          counted.raw++;
        }
        assert.deepEqual(failures, []);
        await assertStillServing(variant(), "HTTP-layer errors");
      });
    });
  }

  describe("property-based fuzzing of the JSON endpoints", () => {
    const runs = { open: 200, keyed: 40 };
    for (const route of Object.keys(routes) as RouteName[]) {
      it(`${routes[route].url}: ${runs.open} runs without keys and ${runs.keyed} with random Authorization headers, never a 500`, async () => {
        const open = variants[0];
        const keyed = variants[1];
        const check = async (variant: Variant, payload: string, headers: Record<string, string>) => {
          const response = await variant.server.app.inject({ method: "POST", url: routes[route].url, payload, headers: { "content-type": "application/json", ...headers } });
          counted.fuzz++;
          if (response.statusCode === 200) {
            const body = response.json<unknown>();
            const results = Array.isArray(body) ? body : (body as { results?: unknown }).results;
            assert.ok(Array.isArray(results), `200 without results for ${payload}: ${response.body.slice(0, 300)}`);
            return;
          }
          const problems = errorShapeProblems(response);
          assert.deepEqual(problems, [], `${payload.slice(0, 500)} → ${response.statusCode} ${response.body.slice(0, 300)}`);
        };
        await fc.assert(
          fc.asyncProperty(fuzzPayload(route), (payload) => check(open, payload, {})),
          { numRuns: runs.open },
        );
        const authorization = fc.oneof(fc.constant(`Bearer ${key}`), fc.constant(`bearer  ${key} `), shortText.map((text) => `Bearer ${text}`), shortText);
        await fc.assert(
          fc.asyncProperty(fuzzPayload(route), authorization, (payload, header) => {
            // Header values Node refuses to send are not HTTP; skip them.
            const sendable = /^[\t\x20-\x7e\x80-\xff]*$/.test(header);
            return check(keyed, payload, sendable ? { authorization: header } : {});
          }),
          { numRuns: runs.keyed },
        );
        await assertStillServing(open, `fuzzing ${route}`);
        await assertStillServing(keyed, `fuzzing ${route}`);
      });
    }
  });

  describe("accepted edge inputs stay accepted", () => {
    it("odd but valid unicode, numbers and keys rank normally", async () => {
      const { server } = variants[0];
      const accepted: [string, unknown][] = [
        ["/v2/rerank", { query: "\u200b", documents: ["\u200b", "a"] }],
        ["/v2/rerank", { query: "😀 \ud800 \u0000", documents: ["Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍A̴̵̜̰͔ͫ͗͢L̠ͨͧͩ͘G̴̻͈͍͔̹̑͗̎̅͛́", "مرحبا بالعالم", "\udfff"] }],
        ["/v2/rerank", { query, documents: ["a"], top_n: 1e308, priority: -5, max_tokens_per_doc: new Raw("9007199254740993") }],
        ["/v2/rerank", new Raw(`{"query": "q", "documents": [{"text": "a", "meta": ${nestedObjectText(5_000)}}]}`)],
        ["/v2/rerank", { query: "q".repeat(100_000), documents: ["a"] }],
        ["/v1/rerank", { query, documents: [{ text: 5 }, { text: true }, { title: "T", tags: [] }], rank_fields: ["text", "title", "tags"] }],
        ["/v1/rerank", { query, documents: [{ text: "a", constructor: "built", toString: "own" }], rank_fields: ["constructor", "toString"], return_documents: true }],
        ["/v1/rerank", new Raw(`{"query": "q", "documents": [{"text": "a", "deep": ${nestedObjectText(5_000)}}], "return_documents": true}`)],
        ["/rerank", { query, texts: ["\u0000", "\ud800"], truncation_direction: "right" }],
      ];
      for (const [url, body] of accepted) {
        const payload = body instanceof Raw ? body.text : payloadOf(body);
        const response = await server.app.inject({ method: "POST", url, payload, headers: { "content-type": "application/json" } });
        assert.equal(response.statusCode, 200, `${url} ${payload.slice(0, 200)}: ${response.body.slice(0, 300)}`);
      }
      const constructorFields = await server.app.inject({ method: "POST", url: "/v1/rerank", payload: payloadOf(accepted[6][1]), headers: { "content-type": "application/json" } });
      assert.equal(constructorFields.json<{ results: { document: unknown }[] }>().results[0].document !== undefined, true);
      // A byte-order mark before the JSON is not JSON: still a clean 400.
      const bom = await server.app.inject({ method: "POST", url: "/v2/rerank", payload: `\ufeff${payloadOf(routes.v2.base)}`, headers: { "content-type": "application/json" } });
      assert.ok(bom.statusCode === 200 || errorShapeProblems(bom, { status: 400 }).length === 0, bom.body);
    });
  });

  it("the matrix has at least 300 cases and no log line holds a key sent in a URL", (context) => {
    assert.ok(counted.matrix >= 300, `only ${counted.matrix} matrix cases ran`);
    assert.ok(counted.fuzz >= 3 * 240, `only ${counted.fuzz} fuzz runs`);
    const text = logLines.join("");
    assert.ok(text.includes("?[redacted]"), "the keyed server logged the redacted URLs");
    assert.ok(!text.includes(querySecret), "a secret from a query string or a raw request reached the logs");
    assert.ok(!text.includes(`api_key=${key}`), "a key from a query string reached the logs");
    context.diagnostic(`hostile input: ${counted.matrix} matrix cases, ${counted.raw} HTTP-layer cases, ${counted.fuzz} fuzz runs`);
  });
});
