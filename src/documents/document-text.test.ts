import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OpenRerankError } from "../errors/catalog.js";
import { defaultRankFields, documentText } from "./document-text.js";

const invalidDocument = (fragment: string) => (error: unknown) =>
  error instanceof OpenRerankError && error.code === "invalid_document" && error.message.includes(fragment);

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
});
