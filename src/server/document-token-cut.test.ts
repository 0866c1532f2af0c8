import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cutToTokens } from "./document-token-cut.js";

/** One token per whitespace-separated word, and one per 4 characters of a long word: enough to exercise the cut. */
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).reduce((sum, word) => sum + Math.ceil(word.length / 4), 0);

describe("cutToTokens", () => {
  it("leaves a text that fits alone", () => {
    assert.equal(cutToTokens("one two six", 3, countWords), undefined);
  });

  it("keeps the longest prefix that fits, ending at a word boundary", () => {
    assert.equal(cutToTokens("one two six ten four", 3, countWords), "one two six");
    assert.equal(cutToTokens("one two six ten four", 1, countWords), "one");
  });

  it("cuts inside a word only when the first word alone is too long", () => {
    const cut = cutToTokens("abcdefghijklmnop tail", 2, countWords);
    assert.equal(cut, "abcdefgh");
    assert.ok(countWords(cut as string) <= 2);
  });

  it("never splits a surrogate pair", () => {
    const countCodeUnits = (text: string) => text.length;
    const cut = cutToTokens("ab😀cd", 3, countCodeUnits) as string;
    assert.equal(cut, "ab");
  });
});
