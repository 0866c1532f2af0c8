import { Tokenizer as LibraryTokenizer } from "@huggingface/tokenizers";
import { BertWordPieceTokenizer } from "./bert-wordpiece-tokenizer.js";

/** Token ids of one text, without special tokens. */
export interface TokenizedText {
  ids: Int32Array;
}

/** Turns text into token ids; implementations must match the Hugging Face tokenizer exactly. */
export interface TextTokenizer {
  /** Which implementation is in use, for load logs and benchmarks. */
  readonly kind: string;
  encode(text: string): TokenizedText;
}

/**
 * Picks the fastest exact tokenizer for a `tokenizer.json`: our WordPiece fast path for BERT
 * tokenizers (proven identical on a large sample), else Hugging Face's tokenizers.js, which
 * covers SentencePiece/Unigram (XLM-R) and BPE.
 */
export function createTextTokenizer(tokenizerJson: object, tokenizerConfig: object): TextTokenizer {
  const fast = BertWordPieceTokenizer.fromTokenizerJson(tokenizerJson);
  if (fast) {
    return { kind: "bert-wordpiece-fast", encode: (text) => fast.encode(text) };
  }
  const library = new LibraryTokenizer(tokenizerJson, tokenizerConfig);
  return {
    kind: "huggingface-tokenizers",
    encode: (text) => ({ ids: Int32Array.from(library.encode(text, { add_special_tokens: false }).ids) }),
  };
}
