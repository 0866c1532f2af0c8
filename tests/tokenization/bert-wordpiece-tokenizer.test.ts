import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { Tokenizer as RustTokenizer } from "@anush008/tokenizers";
import { Tokenizer as LibraryTokenizer } from "@huggingface/tokenizers";
import { BertWordPieceTokenizer, type WordPieceEncoding } from "../../src/inference/tokenization/bert-wordpiece-tokenizer.js";

// Two references: @huggingface/tokenizers (pure JS, what the service falls back to) and the Rust
// Hugging Face tokenizers (the implementation the Python `tokenizers` package wraps). Where they
// disagree, the Rust one is the reference; those inputs are marked below.
const modelDir = path.resolve("../shared/models/cross-encoder/ms-marco-MiniLM-L-6-v2");
const scifactDir = path.resolve("../shared/datasets/beir/scifact");
const tokenizerJson = JSON.parse(readFileSync(path.join(modelDir, "tokenizer.json"), "utf8")) as Record<string, unknown>;
const tokenizerConfig = JSON.parse(readFileSync(path.join(modelDir, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** Hand-made inputs; `rustOnly` marks those where @huggingface/tokenizers departs from the reference. */
const edgeCases: { text: string; rustOnly?: string }[] = [
  { text: "" },
  { text: "   " },
  { text: "\t\n\r \u000b\u000c" },
  { text: "\u00a0\u2003\u3000\u2028\u2029\u1680" },
  { text: "Café résumé naïve Ångström ñandú São Paulo ÉCOLE Française Ærø Øresund" },
  { text: "e\u0301cole a\u0308\u0304 \u0301leading x\u20dd o\u0328\u0301 \u0344" },
  { text: "我爱北京天安门 abc中文def 日本語のテキストです 한국어 텍스트 ㄱㄴ" },
  { text: "ภาษาไทยง่ายนิดเดียว ลาว ພາສາລາວ" },
  { text: "مرحبا بالعالم مَرْحَبًا ١٢٣ שָׁלוֹם עולם" },
  { text: "हिन्दी भाषा বাংলা தமிழ் ગુજરાતી" },
  { text: "Привет мир ЁЖИК Ελληνικά Ωmega ΆΈΉ" },
  { text: "I ❤️ NY 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 #️⃣ ☕" },
  { text: "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝 math 𝟏𝟐𝟑 𐍈 𓀀" },
  { text: "lone a\ud800b \udc00x y\ud83d" },
  { text: "ctrl a\u0000b\u0001c\u007f d\u0085e\u200bf\u200dg\ufeffh \u001f\u001c \u00ad soft" },
  { text: "bad\ufffdchar \ufffd \ufffd\ufffd end" },
  { text: "a\u00a0b\u2000c\u2009d\u202fe\u205ff\u3000g\u1680h\u180ei" },
  { text: "zero\u200bwidth\u200cnon\u200djoiner\u2060word\u2061\u2062 \u200e\u200f\u202a\u202e" },
  { text: "a".repeat(100) },
  { text: "b".repeat(101) },
  { text: `${"x".repeat(150)} ok ${"é".repeat(101)} ${"é".repeat(100)} ${"ab".repeat(50)}é` },
  { text: `${"😀".repeat(60)} ${"😀".repeat(101)} ${"a".repeat(99)}😀 ${"\u0301".repeat(150)}x` },
  { text: "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis" },
  { text: 'Hello, world! (test) [x] {y} <z> a-b a_b a/b a\\b "quoted" \'single\' ... ?! ;:' },
  { text: "¿Qué? ¡Hola! «guillemets» „quotes“ — em–dash… ‹›‘’ ·•§¶†‡ ※ 〈〉【】「」、。" },
  { text: "$100 + 50% = ^~`|@#&* €5 £3 ¥7 ±2 ×3 ÷4 ≤≥ ∞ ∑ √ °C ‰" },
  { text: "3,520,031 891.82 1.000.000,00 1 000 000 10^6 1e-5 -42 +7 ½ ² ٣ ⅻ Ⅻ ①" },
  { text: "https://example.com/path?query=1&b=2#frag user@example.org C:\\Program Files\\x www.a-b.co.uk:8080" },
  { text: "[CLS] a [SEP] b [MASK] [UNK] [PAD] x[SEP]y [sep] [Sep] [SEP [[SEP]] [SEP][SEP]" },
  { text: "İstanbul DİYARBAKIR ı Straße STRASSE ẞ ﬁnance ﬂow ＡＢＣ１２３ ǅ ǈ ǋ" },
  { text: "IL-6 TNF-α β-catenin 5′-UTR p<0.05 μm µm Ca²⁺ NF-κB Δψm 37°C ~2-fold" },
  { text: `${"word ".repeat(3000)}end` },
  { text: "Σίσυφος ΟΔΥΣΣΕΥΣ ΣΣ Σ", rustOnly: "lowercase: per-character σ, not the context-sensitive final ς" },
  { text: "\u{20000}\u{2A700}x\u{2B820}y\u{2B920}z\u{2F800}", rustOnly: "astral CJK ideographs are padded (JS pads only BMP ones)" },
  { text: "a\u2e43b c\u0897d e\u0890f g\u166dh \u{111c9}", rustOnly: "characters newer than the reference's Unicode tables" },
  // Spacing marks with a combining class: NFD reorders them, and the reference's offsets follow.
  { text: "ab\u{1d16d}\u{1d165}cd \u{1d15f}\u{1d16d}\u{1d165} x\u{1d16d}\u0301\u302e y \u{1d16d}\u0340 z\u0344\ua9c0" },
];

/** Deterministic random strings built from pieces that exercise every branch. */
function randomTexts(count: number, seed: number): string[] {
  const pieces = [
    ..."abestingAZ09 .,-'[]",
    "  ", "\t", "\n", "##", "[SEP]", "[UNK]", "[CLS", "\u0000", "\u0001", "\u007f", "\u0085", "\u00a0", "\u200b", "\u200d", "\ufeff",
    "\ufffd", "é", "e\u0301", "\u0301", "\u0316", "\u0340", "\u0344", "ñ", "Å", "\u212b", "ß", "ẞ", "İ", "ı", "Σ", "ς", "Ω", "ﬁ", "中",
    "\u{20000}", "\u{2B820}", "\u{2F800}", "\uf900", "한", "ㄱ", "😀", "👍🏽", "\ud800", "\udc00", "\u{1d165}", "\u{1d16d}", "\u{1d15f}",
    "\u302e", "\u1715", "\ua9c0", "\u0915\u094d", "\u093e", "ก", "\u0e31", "ا", "\u064e", "\u2e43", "\u0897", "\u0890", "\u166d",
    "¿", "«", "—", "…", "½", "²", "µ", "Ⅻ", "\u{1D400}", "\u037e", "\u1fef",
  ];
  let state = seed;
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  return Array.from({ length: count }, () => {
    let text = "";
    const length = Math.floor(random() ** 2 * 80);
    for (let k = 0; k < length; k++) {
      const piece = pieces[Math.floor(random() * pieces.length)];
      text += random() < 0.05 ? piece.repeat(30) : piece;
    }
    return text;
  });
}

/** Rust reports offsets in code points; converts them to UTF-16 indices of `text`. */
function utf16Offsets(text: string, offsets: number[][]): { starts: number[]; ends: number[] } {
  const byCodePoint: number[] = [];
  let unit = 0;
  for (const ch of text) {
    byCodePoint.push(unit);
    unit += ch.length;
  }
  byCodePoint.push(unit);
  return { starts: offsets.map(([start]) => byCodePoint[start]), ends: offsets.map(([, end]) => byCodePoint[end]) };
}

/** Spans are non-empty, in order, inside the text; plain ASCII spans read back as their token. */
function checkSpans(tokenizer: BertWordPieceTokenizer, text: string, encoding: WordPieceEncoding): string | undefined {
  for (let k = 0; k < encoding.ids.length; k++) {
    const start = encoding.starts[k];
    const end = encoding.ends[k];
    if (!(start >= 0 && start < end && end <= text.length)) return `token ${k} has span [${start}, ${end})`;
    if (k > 0 && start < encoding.starts[k - 1]) return `token ${k} starts before token ${k - 1}`;
    const token = tokenizer.idToToken(encoding.ids[k]) ?? "";
    const slice = text.slice(start, end);
    if (encoding.ids[k] !== tokenizer.unkId && /^[\x20-\x7e]+$/.test(slice)) {
      const expected = token.startsWith("##") && slice !== token ? token.slice(2) : token;
      if (slice !== token && slice.toLowerCase() !== expected) return `token ${k} (${token}) covers ${JSON.stringify(slice)}`;
    }
  }
  return undefined;
}

interface Mismatch {
  index: number;
  what: string;
}

function formatMismatches(mismatches: Mismatch[], texts: string[]): string {
  return mismatches
    .slice(0, 5)
    .map((m) => `#${m.index} ${m.what}: ${JSON.stringify(texts[m.index].slice(0, 120))}`)
    .join("\n");
}

/** Compares ids and offsets with the Rust tokenizer, and ids with the JS library where asked. */
async function compareAll(
  tokenizer: BertWordPieceTokenizer,
  rust: RustTokenizer,
  library: LibraryTokenizer | null,
  texts: string[],
): Promise<{ library: Mismatch[]; rust: Mismatch[]; offsets: Mismatch[]; spans: Mismatch[] }> {
  const result = { library: [] as Mismatch[], rust: [] as Mismatch[], offsets: [] as Mismatch[], spans: [] as Mismatch[] };
  const rustEncodings = await rust.encodeBatch(texts, { addSpecialTokens: false });
  texts.forEach((text, index) => {
    const ours = tokenizer.encode(text);
    const ids = Array.from(ours.ids);
    if (library) {
      const expected = library.encode(text, { add_special_tokens: false }).ids;
      if (ids.join() !== expected.join()) result.library.push({ index, what: `ours ${ids.join()} library ${expected.join()}` });
    }
    const rustIds = rustEncodings[index].getIds();
    if (ids.join() !== rustIds.join()) {
      result.rust.push({ index, what: `ours ${ids.join()} rust ${rustIds.join()}` });
    } else {
      const { starts, ends } = utf16Offsets(text, rustEncodings[index].getOffsets());
      if (Array.from(ours.starts).join() !== starts.join() || Array.from(ours.ends).join() !== ends.join()) {
        result.offsets.push({ index, what: `ours ${ours.starts.join()}/${ours.ends.join()} rust ${starts.join()}/${ends.join()}` });
      }
    }
    const spanProblem = checkSpans(tokenizer, text, ours);
    if (spanProblem) result.spans.push({ index, what: spanProblem });
  });
  return result;
}

function withNormalizer(normalizer: Record<string, unknown> | null): Record<string, unknown> {
  return { ...tokenizerJson, normalizer: normalizer && { ...(tokenizerJson.normalizer as object), ...normalizer } };
}

describe("BertWordPieceTokenizer (ms-marco-MiniLM-L-6-v2 tokenizer.json)", () => {
  let tokenizer: BertWordPieceTokenizer;
  let library: LibraryTokenizer;
  let rust: RustTokenizer;
  before(() => {
    const built = BertWordPieceTokenizer.fromTokenizerJson(tokenizerJson);
    assert.ok(built, "the MiniLM tokenizer.json is a supported BERT WordPiece tokenizer");
    tokenizer = built;
    library = new LibraryTokenizer(tokenizerJson, tokenizerConfig);
    rust = RustTokenizer.fromFile(path.join(modelDir, "tokenizer.json"));
  });

  it("exposes the vocabulary and configuration", () => {
    assert.equal(tokenizer.vocabSize, 30522);
    assert.equal(tokenizer.unkId, 100);
    assert.equal(tokenizer.tokenToId("[UNK]"), 100);
    assert.equal(tokenizer.tokenToId("[CLS]"), 101);
    assert.equal(tokenizer.tokenToId("[SEP]"), 102);
    assert.equal(tokenizer.tokenToId("##ing"), 2075);
    assert.equal(tokenizer.tokenToId("not a token"), undefined);
    assert.equal(tokenizer.idToToken(4068), "berlin");
    assert.deepEqual(tokenizer.normalizer, { cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true });
    assert.equal(tokenizer.continuingSubwordPrefix, "##");
    assert.equal(tokenizer.maxInputCharsPerWord, 100);
  });

  it("encodes the Berlin example of shared/models/PROVENANCE.md", () => {
    // PROVENANCE lists the pair encoding [CLS] query [SEP] document [SEP]; these are its parts.
    const query = tokenizer.encode("How many people live in Berlin?");
    assert.deepEqual(Array.from(query.ids), [2129, 2116, 2111, 2444, 1999, 4068, 1029]);
    const document = "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.";
    assert.deepEqual(
      Array.from(tokenizer.encode(document).ids),
      [4068, 2038, 1037, 2313, 1997, 1017, 1010, 19611, 1010, 6021, 2487, 5068, 4864, 1999, 2019, 2181, 1997, 6486, 2487, 1012, 6445, 2675, 7338, 1012],
    );
    const other = tokenizer.encode("New York City is famous for the Metropolitan Museum of Art.");
    assert.deepEqual(Array.from(other.ids), [2047, 2259, 2103, 2003, 3297, 2005, 1996, 4956, 2688, 1997, 2396, 1012]);
    // "3,520,031" → 3 , 520 , 03 ##1: pieces cover exactly their characters.
    const encoding = tokenizer.encode(document);
    const pieces = Array.from(encoding.ids, (_, k) => document.slice(encoding.starts[k], encoding.ends[k]));
    assert.deepEqual(pieces.slice(4, 12), ["of", "3", ",", "520", ",", "03", "1", "registered"]);
  });

  it("matches both references on every SciFact document and query", async () => {
    const texts = [
      ...readJsonl<{ title: string; text: string }>(path.join(scifactDir, "corpus.jsonl")).map((doc) => `${doc.title} ${doc.text}`),
      ...readJsonl<{ text: string }>(path.join(scifactDir, "queries.jsonl")).map((query) => query.text),
    ];
    assert.equal(texts.length, 5183 + 1109);
    const mismatches = await compareAll(tokenizer, rust, library, texts);
    assert.equal(mismatches.library.length, 0, `ids differ from @huggingface/tokenizers:\n${formatMismatches(mismatches.library, texts)}`);
    assert.equal(mismatches.rust.length, 0, `ids differ from the Rust tokenizers:\n${formatMismatches(mismatches.rust, texts)}`);
    assert.equal(mismatches.offsets.length, 0, `offsets differ from the Rust tokenizers:\n${formatMismatches(mismatches.offsets, texts)}`);
    assert.equal(mismatches.spans.length, 0, `bad spans:\n${formatMismatches(mismatches.spans, texts)}`);
  });

  it("matches the references on hand-made edge cases", async () => {
    const texts = edgeCases.map((edge) => edge.text);
    const mismatches = await compareAll(tokenizer, rust, library, texts);
    assert.equal(mismatches.rust.length, 0, `ids differ from the Rust tokenizers:\n${formatMismatches(mismatches.rust, texts)}`);
    assert.equal(mismatches.offsets.length, 0, `offsets differ from the Rust tokenizers:\n${formatMismatches(mismatches.offsets, texts)}`);
    assert.equal(mismatches.spans.length, 0, `bad spans:\n${formatMismatches(mismatches.spans, texts)}`);
    const unexpected = mismatches.library.filter((m) => edgeCases[m.index].rustOnly === undefined);
    assert.equal(unexpected.length, 0, `ids differ from @huggingface/tokenizers:\n${formatMismatches(unexpected, texts)}`);
  });

  it("agrees with the Rust tokenizers on a sample of all Unicode code points", async () => {
    // Each code point alone, between letters and after a capital, so that dropping, splitting,
    // isolating, decomposing and lowercasing all show in ids or offsets.
    const texts: string[] = [];
    for (let cp = 0; cp < 0x110000; cp += cp < 0x3400 ? 1 : 11) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      texts.push(`a${ch}b ${ch} X${ch}é`);
    }
    const mismatches = await compareAll(tokenizer, rust, null, texts);
    assert.equal(mismatches.rust.length, 0, `ids differ from the Rust tokenizers:\n${formatMismatches(mismatches.rust, texts)}`);
    assert.equal(mismatches.offsets.length, 0, `offsets differ from the Rust tokenizers:\n${formatMismatches(mismatches.offsets, texts)}`);
  });

  it("agrees with the Rust tokenizers on random mixtures of tricky characters", async () => {
    const texts = randomTexts(5000, 20240607);
    const mismatches = await compareAll(tokenizer, rust, null, texts);
    assert.equal(mismatches.rust.length, 0, `ids differ from the Rust tokenizers:\n${formatMismatches(mismatches.rust, texts)}`);
    assert.equal(mismatches.offsets.length, 0, `offsets differ from the Rust tokenizers:\n${formatMismatches(mismatches.offsets, texts)}`);
    assert.equal(mismatches.spans.length, 0, `bad spans:\n${formatMismatches(mismatches.spans, texts)}`);
  });

  it("truncates with maxTokens and encodes ids alone identically", () => {
    const text = "https://example.com/a?b=1 Café résumé, naïve supercalifragilistic [SEP] 3,520,031 km² ok";
    const full = tokenizer.encode(text);
    for (const limit of [0, 1, 5, 17, full.ids.length, full.ids.length + 10]) {
      const cut = tokenizer.encode(text, limit);
      assert.deepEqual(Array.from(cut.ids), Array.from(full.ids.subarray(0, limit)));
      assert.deepEqual(Array.from(cut.starts), Array.from(full.starts.subarray(0, limit)));
      assert.deepEqual(Array.from(tokenizer.encodeIds(text, limit)), Array.from(full.ids.subarray(0, limit)));
    }
    assert.deepEqual(Array.from(tokenizer.encodeIds(text)), Array.from(full.ids));
    assert.throws(() => tokenizer.encode(text, -1), RangeError);
    assert.throws(() => tokenizer.encode(text, Number.NaN), RangeError);
    // Buffers are reused between calls: earlier results must not change.
    const before = Array.from(full.ids);
    tokenizer.encode("something else entirely");
    assert.deepEqual(Array.from(full.ids), before);
  });
});

describe("BertWordPieceTokenizer with other BertNormalizer settings", () => {
  const sample = [...edgeCases.map((edge) => edge.text), ...readJsonl<{ text: string }>(path.join(scifactDir, "corpus.jsonl")).slice(0, 200).map((doc) => doc.text)];
  const variants: [string, Record<string, unknown> | null][] = [
    ["cased (lowercase false, strip_accents null)", { lowercase: false, strip_accents: null }],
    ["strip_accents true, lowercase false", { lowercase: false, strip_accents: true }],
    ["lowercase without strip_accents", { lowercase: true, strip_accents: false }],
    ["clean_text false", { clean_text: false }],
    ["handle_chinese_chars false", { handle_chinese_chars: false }],
    ["no normalizer", null],
  ];
  for (const [name, normalizer] of variants) {
    it(`matches the Rust tokenizers: ${name}`, async () => {
      const json = withNormalizer(normalizer);
      const tokenizer = BertWordPieceTokenizer.fromTokenizerJson(json);
      assert.ok(tokenizer);
      const mismatches = await compareAll(tokenizer, RustTokenizer.fromString(JSON.stringify(json)), null, sample);
      assert.equal(mismatches.rust.length, 0, `ids differ:\n${formatMismatches(mismatches.rust, sample)}`);
      assert.equal(mismatches.offsets.length, 0, `offsets differ:\n${formatMismatches(mismatches.offsets, sample)}`);
    });
  }
});

describe("BertWordPieceTokenizer.fromTokenizerJson", () => {
  const unigram = {
    version: "1.0",
    added_tokens: [],
    normalizer: { type: "Precompiled", precompiled_charsmap: null },
    pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    post_processor: null,
    decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    model: { type: "Unigram", unk_id: 0, vocab: [["<unk>", 0], ["▁a", -1.5], ["b", -2]] },
  };
  const bpe = {
    version: "1.0",
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: "ByteLevel" },
    model: { type: "BPE", dropout: null, unk_token: null, vocab: { a: 0, b: 1, ab: 2 }, merges: ["a b"] },
  };

  it("declines tokenizers it does not reproduce exactly", () => {
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson(unigram), null);
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson(bpe), null);
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson(null), null);
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson("tokenizer.json"), null);
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson({ ...tokenizerJson, pre_tokenizer: { type: "Whitespace" } }), null);
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson({ ...tokenizerJson, pre_tokenizer: null }), null);
    assert.equal(
      BertWordPieceTokenizer.fromTokenizerJson({ ...tokenizerJson, normalizer: { type: "Sequence", normalizers: [tokenizerJson.normalizer] } }),
      null,
    );
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson({ ...tokenizerJson, normalizer: { type: "NFKC" } }), null);
    const model = tokenizerJson.model as Record<string, unknown>;
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson({ ...tokenizerJson, model: { ...model, unk_token: "<missing>" } }), null);
    const added = tokenizerJson.added_tokens as Record<string, unknown>[];
    for (const change of [{ normalized: true }, { lstrip: true }, { rstrip: true }, { single_word: true }]) {
      const json = { ...tokenizerJson, added_tokens: added.map((token, k) => (k === 4 ? { ...token, ...change } : token)) };
      assert.equal(BertWordPieceTokenizer.fromTokenizerJson(json), null, JSON.stringify(change));
    }
  });

  it("handles a hand-made vocabulary, prefix, word limit and added token like the Rust library", async () => {
    const added = { id: 7, content: "<x>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
    const json = {
      ...tokenizerJson,
      added_tokens: [added],
      model: { type: "WordPiece", unk_token: "?", continuing_subword_prefix: "__", max_input_chars_per_word: 6, vocab: { "?": 0, a: 1, ab: 2, __b: 3, __c: 4, c: 5, "<": 6 } },
    };
    const tokenizer = BertWordPieceTokenizer.fromTokenizerJson(json);
    assert.ok(tokenizer);
    const texts = ["ab abc abbc abcd a<x>c <x> <<x>> abbbbb abbbbbb AB c", "<x", "x<x>"];
    const mismatches = await compareAll(tokenizer, RustTokenizer.fromString(JSON.stringify(json)), null, texts);
    assert.equal(mismatches.rust.length, 0, formatMismatches(mismatches.rust, texts));
    assert.equal(mismatches.offsets.length, 0, formatMismatches(mismatches.offsets, texts));
    // Rust ignores the ids of added tokens and renumbers them; we decline files it would renumber.
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson({ ...json, added_tokens: [{ ...added, id: 0 }] }), null);
    assert.equal(BertWordPieceTokenizer.fromTokenizerJson({ ...json, added_tokens: [{ ...added, id: 9 }] }), null);
  });
});
