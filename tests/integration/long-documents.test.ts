import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { planTokenWindows } from "../../src/documents/token-windows.js";
import { createTextTokenizer } from "../../src/inference/tokenization/text-tokenizer.js";
import { loadReranker, type Reranker } from "../../src/index.js";
import { requireTestModel, scifactTexts, testModelsDir } from "../support/test-models.js";

// Random-weight test model: these tests check window mechanics, not relevance.
const query = "airway inflammation";
const tokenizer = createTextTokenizer(JSON.parse(readFileSync(path.join(testModelsDir, "test/tinybert-l2/tokenizer.json"), "utf8")) as object, {});

/**
 * Words that are exactly one token each, so a window of tokens is a window of words and its
 * text can be scored on its own. Multi-byte and normalized words are included on purpose:
 * accents (stripped by the tokenizer), CJK ideographs, an emoji ([UNK]) and Greek.
 */
const words = [
  ...new Set(scifactTexts(60).join(" ").toLowerCase().split(/[^a-z]+/)),
  "Café", "naïve", "ÉCOLE", "東", "京", "😀", "α", "β", "Zürich",
].filter((word) => word.length > 0 && tokenizer.encode(word).ids.length === 1);

/** A deterministic document of `count` one-token words. */
function documentOfWords(count: number, seed: number): string[] {
  return Array.from({ length: count }, (_, i) => words[(i * 7919 + seed * 104729) % words.length]);
}

describe("long documents on the tinybert-l2 test model", () => {
  let reranker: Reranker;
  before(async () => {
    requireTestModel("test/tinybert-l2");
    reranker = await loadReranker({ model: "test/tinybert-l2", modelsDir: testModelsDir, offline: true });
    assert.ok(words.length > 500, `only ${words.length} one-token words`);
    for (const special of ["Café", "東", "😀"]) assert.ok(words.includes(special), `${special} is not a one-token word`);
  });
  after(() => reranker.dispose());

  it("scores a long document as the max over its windows, each scored as its own document", async () => {
    for (const overlap of [0, 64]) {
      const documentWords = documentOfWords(1700, overlap);
      const text = documentWords.join(" ");
      const windowSize = reranker.info.contextLength! - 3 - tokenizer.encode(query).ids.length;
      const { windows } = planTokenWindows(documentWords.length, windowSize, overlap);
      assert.ok(windows.length >= 4);
      const windowTexts = windows.map((window) => documentWords.slice(window.start, window.end).join(" "));

      const whole = await reranker.rerank(query, [text], { windowOverlap: overlap, returnPassages: true });
      const separately = await reranker.rerank(query, windowTexts);
      assert.equal(whole.usage.pairs, windows.length);
      const best = separately.results[0];
      assert.ok(Math.abs(whole.results[0].score - best.score) < 1e-4, `whole ${whole.results[0].score} vs best window ${best.score}`);
      // The span maps back to exactly the best window's characters in the original text.
      const passage = whole.results[0].passage;
      assert.ok(passage);
      assert.equal(text.slice(passage.start, passage.end), windowTexts[best.index]);
    }
  });

  it("maps passage spans to the original characters of multi-byte and normalized text", async () => {
    const documentWords = [...Array(600).fill("Café"), "😀", "東", "京", ...Array(600).fill("naïve"), "ÉCOLE", "Zürich"];
    const text = documentWords.join(" ");
    const { results } = await reranker.rerank(query, [text], { returnPassages: true });
    const passage = results[0].passage;
    assert.ok(passage);
    const slice = text.slice(passage.start, passage.end);
    // Spans start and end on whole words of the original string, with accents and surrogate pairs intact.
    assert.ok(passage.start === 0 || text[passage.start - 1] === " ");
    assert.ok(passage.end === text.length || text[passage.end] === " ");
    assert.deepEqual(tokenizer.encode(slice).ids.length, slice.split(" ").length);
    assert.ok(/Café|naïve|😀|東/.test(slice));
  });

  it("honours maxTokensPerDoc and maxChunksPerDoc, with warnings", async () => {
    const text = documentOfWords(5000, 3).join(" ");
    const windowSize = reranker.info.contextLength! - 3 - tokenizer.encode(query).ids.length;

    const cut = await reranker.rerank(query, [text, "short"], { maxTokensPerDoc: 1000 });
    assert.equal(cut.usage.pairs, Math.ceil(1000 / windowSize) + 1);
    assert.deepEqual(cut.warnings.find((warning) => warning.code === "documents_truncated")?.indices, [0]);

    const capped = await reranker.rerank(query, [text, "short"], { maxTokensPerDoc: 5000, maxChunksPerDoc: 2 });
    assert.equal(capped.usage.pairs, 3);
    const dropped = capped.warnings.find((warning) => warning.code === "chunks_dropped");
    assert.deepEqual(dropped?.indices, [0]);
    assert.match(dropped?.message ?? "", /maxChunksPerDoc = 2/);

    const defaults = await reranker.rerank(query, [text]);
    assert.equal(defaults.usage.pairs, Math.ceil(4096 / windowSize), "default maxTokensPerDoc is 4096");
    // Billing: (2 query tokens + 4096) / 500 → 9 billed documents → 1 search unit.
    assert.equal(defaults.usage.searchUnits, 1);
    // 12 such documents count as 12 × 9 = 108 documents → 2 search units.
    const many = await reranker.rerank(query, Array(12).fill(text));
    assert.equal(many.usage.searchUnits, 2);
  });

  it("lets small requests finish while a 100,000-token document is being scored", async () => {
    const huge = documentOfWords(100_000, 5).join(" ");
    const finished: string[] = [];
    const hugeRequest = reranker.rerank(query, [huge], { maxTokensPerDoc: 100_000 }).then((response) => {
      finished.push("huge");
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const small = await Promise.all(
      Array.from({ length: 5 }, (_, i) => reranker.rerank(query, scifactTexts(5 + i).slice(i, i + 5).map((t) => t.slice(0, 300))).then(() => finished.push(`small${i}`))),
    );
    const hugeResponse = await hugeRequest;
    assert.equal(small.length, 5);
    assert.equal(finished.at(-1), "huge", `order: ${finished.join(", ")}`);
    assert.ok(hugeResponse.usage.pairs > 150);
  });
});
