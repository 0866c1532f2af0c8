/**
 * Tokenizer speed on SciFact documents: our BertWordPieceTokenizer against the pure-JS
 * @huggingface/tokenizers and the Rust tokenizers binding (@anush008/tokenizers).
 *
 *   node --import tsx bench/tokenizer.ts [--docs 2000] [--chars 500] [--rounds 7]
 *
 * Prints a table and one JSON line. Times are wall-clock microseconds per document over several
 * rounds after a warm-up round, as the median and the minimum (the least disturbed by other work
 * on a shared machine); each round checks the ids against the library so a fast wrong answer
 * cannot hide.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Tokenizer as RustTokenizer } from "@anush008/tokenizers";
import { Tokenizer as LibraryTokenizer } from "@huggingface/tokenizers";
import { BertWordPieceTokenizer } from "../src/inference/tokenization/bert-wordpiece-tokenizer.js";

const { values } = parseArgs({
  options: {
    docs: { type: "string", default: "2000" },
    chars: { type: "string", default: "500" },
    rounds: { type: "string", default: "9" },
    model: { type: "string", default: "../shared/models/cross-encoder/ms-marco-MiniLM-L-6-v2" },
    corpus: { type: "string", default: "../shared/datasets/beir/scifact/corpus.jsonl" },
  },
});
const docCount = Number(values.docs);
const maxChars = Number(values.chars);
const rounds = Number(values.rounds);

const tokenizerPath = `${values.model}/tokenizer.json`;
const tokenizerJson: unknown = JSON.parse(readFileSync(tokenizerPath, "utf8"));
const tokenizerConfig: object = JSON.parse(readFileSync(`${values.model}/tokenizer_config.json`, "utf8"));
const texts = readFileSync(values.corpus, "utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .slice(0, docCount)
  .map((line) => (JSON.parse(line) as { text: string }).text.slice(0, maxChars));

const setupStart = performance.now();
const fast = BertWordPieceTokenizer.fromTokenizerJson(tokenizerJson);
const fastSetupMs = performance.now() - setupStart;
if (!fast) throw new Error(`${tokenizerPath} is not a tokenizer BertWordPieceTokenizer supports`);
const library = new LibraryTokenizer(tokenizerJson as object, tokenizerConfig);
const rust = RustTokenizer.fromFile(tokenizerPath);

const expected = texts.map((text) => library.encode(text, { add_special_tokens: false }).ids.join(","));
const tokensPerDoc = expected.reduce((sum, ids) => sum + ids.split(",").length, 0) / texts.length;

function check(name: string, ids: ArrayLike<number>[]): void {
  for (let k = 0; k < texts.length; k++) {
    if (Array.from(ids[k]).join(",") !== expected[k]) throw new Error(`${name} disagrees with the library on document ${k}`);
  }
}

interface Timing {
  median: number;
  min: number;
}

async function time(name: string, run: () => Promise<ArrayLike<number>[]> | ArrayLike<number>[]): Promise<Timing> {
  check(name, await run());
  const perDoc: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    const ids = await run();
    perDoc.push(Number(process.hrtime.bigint() - start) / 1000 / texts.length);
    check(name, ids);
  }
  const sorted = [...perDoc].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0] };
}

const results: Record<string, Timing> = {};
results["openrerank BertWordPieceTokenizer.encode"] = await time("ours", () => texts.map((text) => fast.encode(text).ids));
results["openrerank BertWordPieceTokenizer.encodeIds"] = await time("ours, ids only", () => texts.map((text) => fast.encodeIds(text)));
results["@huggingface/tokenizers encode"] = await time("library", () =>
  texts.map((text) => library.encode(text, { add_special_tokens: false }).ids),
);
results["@anush008/tokenizers encode (awaited one by one)"] = await time("rust", async () => {
  const out: number[][] = [];
  for (const text of texts) out.push((await rust.encode(text, null, { addSpecialTokens: false })).getIds());
  return out;
});
results["@anush008/tokenizers encodeBatch"] = await time("rust batch", async () =>
  (await rust.encodeBatch(texts, { addSpecialTokens: false })).map((encoding) => encoding.getIds()),
);

const ours = results["openrerank BertWordPieceTokenizer.encode"];
console.log(`${texts.length} SciFact documents, text cut to ${maxChars} chars, ${tokensPerDoc.toFixed(1)} tokens each on average`);
console.log(`${rounds} rounds after a warm-up; ids checked against @huggingface/tokenizers every round\n`);
console.log(`${"tokenizer".padEnd(52)} ${"median µs/doc".padStart(14)} ${"min".padStart(8)} ${"vs ours".padStart(8)}`);
for (const [name, us] of Object.entries(results)) {
  const ratio = (us.median / ours.median).toFixed(1);
  console.log(`${name.padEnd(52)} ${us.median.toFixed(2).padStart(14)} ${us.min.toFixed(2).padStart(8)} ${ratio.padStart(7)}x`);
}
console.log(`\nBertWordPieceTokenizer.fromTokenizerJson: ${fastSetupMs.toFixed(1)} ms`);
console.log(
  JSON.stringify({
    bench: "tokenizer",
    docs: texts.length,
    chars: maxChars,
    tokensPerDoc: Number(tokensPerDoc.toFixed(1)),
    usPerDocMedian: Object.fromEntries(Object.entries(results).map(([name, us]) => [name, Number(us.median.toFixed(2))])),
    usPerDocMin: Object.fromEntries(Object.entries(results).map(([name, us]) => [name, Number(us.min.toFixed(2))])),
    setupMs: Number(fastSetupMs.toFixed(1)),
  }),
);
