import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Tokenizer } from "@huggingface/tokenizers";
import { buildBatchTensors } from "../../src/backends/cross-encoder-onnx/batch-tensors.js";
import { PairEncoder } from "../../src/backends/cross-encoder-onnx/pair-encoder.js";
import { readPairTemplate, specialTokenCount } from "../../src/backends/cross-encoder-onnx/pair-template.js";
import { createTextTokenizer } from "../../src/inference/tokenization/text-tokenizer.js";

const modelDir = "../shared/models/cross-encoder/ms-marco-MiniLM-L-6-v2";
const tokenizerJson = JSON.parse(readFileSync(`${modelDir}/tokenizer.json`, "utf8")) as Record<string, unknown>;
const tokenizerConfig = JSON.parse(readFileSync(`${modelDir}/tokenizer_config.json`, "utf8")) as Record<string, unknown>;
const template = readPairTemplate(tokenizerJson, "bert");
const encoder = new PairEncoder(createTextTokenizer(tokenizerJson, tokenizerConfig), template, 512);

/** The model's input row for one pair, through the same tensor writer the engine uses. */
function encodeRow(query: string, document: string, window = encoder) {
  const pair = window.encodePair(window.encodeQuery(query), window.tokenizer.encode(document).ids);
  const tensors = buildBatchTensors([pair], template, 0);
  return { pair, inputIds: Array.from(tensors.inputIds, Number), tokenTypeIds: Array.from(tensors.tokenTypeIds, Number), mask: Array.from(tensors.attentionMask, Number) };
}

describe("pair encoding (real ms-marco-MiniLM-L-6-v2 tokenizer)", () => {
  it("reads the BERT pair template: [CLS] q [SEP] d [SEP], token types 0 then 1", () => {
    assert.deepEqual(template.prefix.ids, [101]);
    assert.deepEqual(template.middle.ids, [102]);
    assert.deepEqual(template.suffix.ids, [102]);
    assert.deepEqual([template.queryTypeId, template.documentTypeId], [0, 1]);
    assert.equal(specialTokenCount(template), 3);
  });

  it("encodes the reference pairs of PROVENANCE.md exactly", () => {
    const berlin = encodeRow("How many people live in Berlin?", "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.");
    assert.deepEqual(berlin.inputIds, [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 4068, 2038, 1037, 2313, 1997, 1017, 1010, 19611, 1010, 6021, 2487, 5068, 4864, 1999, 2019, 2181, 1997, 6486, 2487, 1012, 6445, 2675, 7338, 1012, 102]);
    assert.deepEqual(berlin.tokenTypeIds, [...Array(9).fill(0), ...Array(25).fill(1)]);
    assert.ok(berlin.mask.every((value) => value === 1));
    const newYork = encodeRow("How many people live in Berlin?", "New York City is famous for the Metropolitan Museum of Art.");
    assert.deepEqual(newYork.inputIds, [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 2047, 2259, 2103, 2003, 3297, 2005, 1996, 4956, 2688, 1997, 2396, 1012, 102]);
  });

  it("matches Hugging Face's own pair encoding on varied texts", () => {
    const reference = new Tokenizer(tokenizerJson, tokenizerConfig);
    const corpus = readFileSync("../shared/datasets/beir/scifact/corpus.jsonl", "utf8").split("\n").slice(0, 200).filter(Boolean).map((line) => (JSON.parse(line) as { text: string }).text.slice(0, 600));
    for (const document of corpus) {
      const expected = reference.encode("What causes inflammation?", { text_pair: document, return_token_type_ids: true });
      const row = encodeRow("What causes inflammation?", document);
      assert.deepEqual(row.inputIds, expected.ids);
      assert.deepEqual(row.tokenTypeIds, expected.token_type_ids);
    }
  });

  it("truncates the document, never the query, to fit the window", () => {
    const long = "word ".repeat(1000);
    const row = encodeRow("a short query", long);
    assert.equal(row.inputIds.length, 512);
    assert.equal(row.pair.length, 512);
    assert.deepEqual(row.inputIds.slice(0, 5), [101, 1037, 2460, 23032, 102]);
    assert.equal(row.inputIds.at(-1), 102);
  });

  it("caps the query at half the window", () => {
    const small = new PairEncoder(encoder.tokenizer, template, 64);
    const query = small.encodeQuery("alpha ".repeat(100));
    assert.equal(query.ids.length, 32);
    assert.equal(query.originalTokens, 100);
    assert.equal(small.documentBudget(query), 64 - 3 - 32);
    assert.equal(encoder.maxQueryTokens, 256);
  });

  it("pads a batch to its longest pair with mask 0", () => {
    const query = encoder.encodeQuery("q");
    const pairs = ["one", "one two three four"].map((text) => encoder.encodePair(query, encoder.tokenizer.encode(text).ids));
    const tensors = buildBatchTensors(pairs, template, 0);
    assert.equal(tensors.sequenceLength, pairs[1].length);
    const mask = Array.from(tensors.attentionMask, Number);
    assert.deepEqual(mask.slice(0, tensors.sequenceLength), [...Array(pairs[0].length).fill(1), ...Array(tensors.sequenceLength - pairs[0].length).fill(0)]);
  });
});

describe("pair templates of other model families", () => {
  it("reads RobertaProcessing as <s> q </s></s> d </s> with one token type", () => {
    const roberta = readPairTemplate({ post_processor: { type: "RobertaProcessing", cls: ["<s>", 0], sep: ["</s>", 2] } }, "xlm-roberta");
    assert.deepEqual([roberta.prefix.ids, roberta.middle.ids, roberta.suffix.ids], [[0], [2, 2], [2]]);
    assert.deepEqual([roberta.queryTypeId, roberta.documentTypeId], [0, 0]);
  });

  it("reads an XLM-R TemplateProcessing inside a Sequence post-processor", () => {
    const pair = [
      { SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } },
      { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } },
    ];
    const json = { post_processor: { type: "Sequence", processors: [{ type: "ByteLevel" }, { type: "TemplateProcessing", pair, special_tokens: { "<s>": { ids: [0] }, "</s>": { ids: [2] } } }] } };
    const xlmr = readPairTemplate(json, "xlm-roberta");
    assert.deepEqual([xlmr.prefix.ids, xlmr.middle.ids, xlmr.suffix.ids], [[0], [2, 2], [2]]);
  });

  it("fails clearly without a pair post-processor", () => {
    assert.throws(() => readPairTemplate({ post_processor: null }, "bert"), /no pair post-processor/);
  });
});
