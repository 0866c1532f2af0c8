import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createEnglishAnalyzer, englishAnalyzerId, englishStopwords, lowerCaseLikeJava, porterStem, removePossessive } from "./english-analyzer.js";

describe("English analyzer (Anserini's DefaultEnglishAnalyzer chain)", () => {
  const analyzer = createEnglishAnalyzer();

  it("tokenizes, drops possessives and stopwords, lowercases and stems", () => {
    assert.deepEqual(analyzer.analyze("The Patient’s T-cells were not responding to the treatments"), [
      "patient",
      "t",
      "cell",
      "were",
      "respond",
      "treatment",
    ]);
  });

  it("uses Lucene's 33 English stopwords", () => {
    assert.equal(englishStopwords.size, 33);
    assert.ok(englishStopwords.has("such") && englishStopwords.has("will") && !englishStopwords.has("were"));
  });

  it("strips 's only at the end, in any of Lucene's three apostrophes", () => {
    assert.equal(removePossessive("FDA's"), "FDA");
    assert.equal(removePossessive("FDA’S"), "FDA");
    assert.equal(removePossessive("FDA＇s"), "FDA");
    assert.equal(removePossessive("O'Reilly"), "O'Reilly");
    assert.equal(removePossessive("s"), "s");
  });

  it("lowercases per code point like Java", () => {
    assert.equal(lowerCaseLikeJava("ΣΑΣ"), "σασ"); // no final sigma
    assert.equal(lowerCaseLikeJava("İstanbul"), "istanbul");
    assert.equal(lowerCaseLikeJava("DNA"), "dna");
  });

  it("stems like Lucene's PorterStemmer, including where the stemmer package differs", () => {
    assert.equal(porterStem("relational"), "relat");
    assert.equal(porterStem("hopping"), "hop");
    assert.equal(porterStem("generalization"), "gener");
    assert.equal(porterStem("ies"), "i");
    assert.equal(porterStem("sses"), "ss");
    assert.equal(porterStem("eed"), "eed");
    assert.equal(porterStem("as"), "as"); // two letters: untouched
  });

  it("names its configuration so indexes built with another chain are detected", () => {
    assert.equal(analyzer.id, englishAnalyzerId);
    assert.notEqual(createEnglishAnalyzer({ stem: false }).id, englishAnalyzerId);
    assert.deepEqual(createEnglishAnalyzer({ stopwords: new Set() }).analyze("the cats"), ["the", "cat"]);
  });
});
