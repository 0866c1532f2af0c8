import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { OpenRerankError } from "../errors/catalog.js";
import { defaultRankFields, documentText, maxDocumentDepth } from "./document-text.js";

const invalidDocument = (fragment: string, field?: string) => (error: unknown) =>
  error instanceof OpenRerankError && error.code === "invalid_document" && error.message.includes(fragment) && (field === undefined || error.details.field === field);

/** A document nesting `{ a: … }` objects `levels` deep below its `text` field. */
function nested(levels: number, leaf: unknown = "x"): Record<string, unknown> {
  let value = leaf;
  for (let level = 0; level < levels; level++) value = { a: value };
  return { text: value };
}

/** The recursive flattening documentText used before it became iterative: its output must not change. */
function recursiveDocumentText(document: Record<string, unknown>, rankFields: readonly string[]): string {
  const isNested = (value: unknown): value is object => typeof value === "object" && value !== null;
  const lines = (key: string, value: unknown): string[] => {
    if (Array.isArray(value)) {
      if (!value.some(isNested)) return [`${key}: ${value.map(String).join(", ")}`];
      return value.flatMap((item, index) => lines(`${key}[${index}]`, item));
    }
    if (isNested(value)) return Object.entries(value).flatMap(([child, childValue]) => (childValue === null || childValue === undefined ? [] : lines(`${key}.${child}`, childValue)));
    return [`${key}: ${String(value)}`];
  };
  const present = rankFields.filter((field) => document[field] !== undefined && document[field] !== null);
  if (rankFields.length === 1 && !isNested(document[present[0]])) return String(document[present[0]]);
  return present.flatMap((field) => lines(field, document[field])).join("\n");
}

describe("documentText", () => {
  it("ranks a string as it is, whatever the rank fields", () => {
    assert.equal(documentText("plain text", defaultRankFields, 0), "plain text");
    assert.equal(documentText("plain text", ["title", "body"], 0), "plain text");
  });

  it("ranks an object by its text field alone by default, ignoring other fields", () => {
    assert.equal(documentText({ text: "the body", id: 7, title: "T" }, defaultRankFields, 0), "the body");
  });

  it("ranks a single named field by its value", () => {
    assert.equal(documentText({ title: "Only the title", text: "body" }, ["title"], 0), "Only the title");
  });

  it("writes several fields as key: value lines in rank_fields order", () => {
    const document = { text: "Body text.", title: "A title", author: "Ada" };
    assert.equal(documentText(document, ["title", "author", "text"], 0), "title: A title\nauthor: Ada\ntext: Body text.");
  });

  it("stringifies non-string scalars and flattens nested objects and lists readably", () => {
    const document = { year: 2024, open: true, tags: ["a", "b"], meta: { lang: "en", author: { name: "Ada", orcid: null } }, items: [{ sku: "X1", qty: 2 }, "loose"], text: "t" };
    assert.equal(
      documentText(document, ["year", "open", "tags", "meta", "items"], 0),
      "year: 2024\nopen: true\ntags: a, b\nmeta.lang: en\nmeta.author.name: Ada\nitems[0].sku: X1\nitems[0].qty: 2\nitems[1]: loose",
    );
    assert.equal(documentText({ text: 42 }, defaultRankFields, 0), "42");
    assert.equal(documentText({ meta: { lang: "en" } }, ["meta"], 0), "meta.lang: en");
  });

  it("leaves out fields a document lacks or has as null", () => {
    assert.equal(documentText({ title: "T", author: null }, ["title", "author", "text"], 0), "title: T");
  });

  it("rejects an object with none of the rank fields, naming the index and the fields", () => {
    assert.throws(() => documentText({ body: "x" }, defaultRankFields, 3), invalidDocument("document at index 3 has none of the rank fields ('text')"));
    assert.throws(() => documentText({ body: "x" }, ["title", "text"], 1), invalidDocument("('title', 'text')"));
  });

  it("rejects values that are neither strings nor objects", () => {
    assert.throws(() => documentText(5, defaultRankFields, 2), invalidDocument("document at index 2 must be a string or an object, got number"));
    assert.throws(() => documentText(null, defaultRankFields, 0), invalidDocument("got null"));
    assert.throws(() => documentText(["a"], defaultRankFields, 0), invalidDocument("got an array"));
    assert.throws(() => documentText(true, defaultRankFields, 0), invalidDocument("got boolean"));
  });

  it("keeps an empty text empty, so the caller's emptiness check reports it", () => {
    assert.equal(documentText({ text: "" }, defaultRankFields, 0), "");
  });

  it("ranks nothing for fields that hold no text (empty lists, objects, blank strings), so the emptiness check reports them", () => {
    for (const text of [[], {}, [null], ["", " "], { a: [] }, [{}, []]]) assert.equal(documentText({ text }, defaultRankFields, 0), "", JSON.stringify(text));
    assert.equal(documentText({ title: "", tags: [] }, ["title", "tags"], 0), "");
    // One field with text keeps the others' lines as they were.
    assert.equal(documentText({ title: "T", tags: [] }, ["title", "tags"], 0), "title: T\ntags: ");
  });

  it("reads own properties only: rank_fields naming Object.prototype members rank nothing inherited", () => {
    for (const field of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      assert.throws(() => documentText({ text: "a" }, [field], 0), invalidDocument(`has none of the rank fields ('${field}')`), field);
    }
    assert.equal(documentText({ text: "a", constructor: "built by Ada" }, ["constructor"], 0), "built by Ada");
    assert.equal(documentText(JSON.parse('{"toString": "own"}') as unknown, ["toString"], 0), "own");
  });

  it(`flattens up to ${maxDocumentDepth} levels and rejects deeper nesting naming the path and the limit, without recursion`, () => {
    // The document is level 1, so `maxDocumentDepth - 1` nested objects below it are allowed.
    assert.equal(documentText(nested(maxDocumentDepth - 1), defaultRankFields, 0), `text${".a".repeat(maxDocumentDepth - 1)}: x`);
    const pastLimit = `documents[4].text${".a".repeat(maxDocumentDepth - 1)}`;
    assert.throws(() => documentText(nested(maxDocumentDepth), defaultRankFields, 4), invalidDocument(`nests objects and lists deeper than ${maxDocumentDepth} levels, at ${pastLimit};`, pastLimit));
    // Far deeper than the stack allows for recursion: still a clean invalid_document.
    assert.throws(() => documentText(nested(100_000), defaultRankFields, 0), invalidDocument(`deeper than ${maxDocumentDepth} levels`));
    let list: unknown = "x";
    for (let level = 0; level < 100_000; level++) list = [list, { b: 1 }];
    assert.throws(() => documentText({ items: list, text: "t" }, ["text", "items"], 0), invalidDocument("at documents[0].items[0][0]"));
    assert.throws(() => documentText({ "odd key": nested(40).text }, ["odd key"], 0), invalidDocument('at documents[0]["odd key"].a'));
    // Unranked fields are not read, however deep.
    assert.equal(documentText({ text: "t", meta: nested(100_000) }, defaultRankFields, 0), "t");
  });

  it("with stringFields (Cohere v2), a ranked field must hold a string, naming its path", () => {
    assert.equal(documentText({ text: "a", meta: { deep: [1] } }, defaultRankFields, 0, { stringFields: true }), "a");
    assert.equal(documentText("plain", defaultRankFields, 0, { stringFields: true }), "plain");
    const cases: [unknown, string][] = [[[], "an empty array"], [["a"], "an array"], [{ a: "b" }, "an object"], [42, "42"], [true, "true"]];
    for (const [text, got] of cases) {
      assert.throws(() => documentText({ text }, defaultRankFields, 2, { stringFields: true }), invalidDocument(`documents[2].text must be a string, got ${got}`, "documents[2].text"));
    }
    assert.throws(() => documentText({ text: null }, defaultRankFields, 0, { stringFields: true }), invalidDocument("has none of the rank fields"));
  });

  it("writes exactly what the recursive flattening wrote, for every document that still has text", () => {
    const key = fc.constantFrom("text", "title", "a", "b", "tags", "x.y", "");
    const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(key, tie("value"), { maxKeys: 4 })),
    }));
    const documentArbitrary = fc.dictionary(key, value, { maxKeys: 5 });
    const rankFieldsArbitrary = fc.uniqueArray(key, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(documentArbitrary, rankFieldsArbitrary, (document, rankFields) => {
        let text: string;
        try {
          text = documentText(document, rankFields, 0);
        } catch (error) {
          assert.ok(error instanceof OpenRerankError && error.code === "invalid_document");
          return;
        }
        if (text !== "") assert.equal(text, recursiveDocumentText(document, rankFields));
      }),
      { numRuns: 500 },
    );
  });
});
