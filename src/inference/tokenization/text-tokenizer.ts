import { Tokenizer as LibraryTokenizer } from "@huggingface/tokenizers";
import { BertWordPieceTokenizer } from "./bert-wordpiece-tokenizer.js";

/** Token ids of one text, without special tokens, and where each token came from when known. */
export interface TokenizedText {
  ids: Int32Array;
  /** UTF-16 start of each token in the original text (absent when the tokenizer gives no offsets). */
  starts?: Int32Array;
  /** UTF-16 end (exclusive) of each token in the original text. */
  ends?: Int32Array;
}

/** Turns text into token ids; implementations must match the Hugging Face tokenizer exactly. */
export interface TextTokenizer {
  /** Which implementation is in use, for load logs and benchmarks. */
  readonly kind: string;
  /** Whether `encode` returns character offsets (needed for best-passage spans). */
  readonly hasOffsets: boolean;
  /** The first `maxTokens` tokens of `text` (all by default), as if the whole text were encoded and then cut. */
  encode(text: string, maxTokens?: number): TokenizedText;
}

/**
 * Picks the fastest exact tokenizer for a `tokenizer.json`: our WordPiece fast path for BERT
 * tokenizers (proven identical on a large sample, and it stops early on long documents), else
 * Hugging Face's tokenizers.js, which covers SentencePiece/Unigram (XLM-R) and BPE.
 */
export function createTextTokenizer(tokenizerJson: object, tokenizerConfig: object): TextTokenizer {
  const fast = BertWordPieceTokenizer.fromTokenizerJson(tokenizerJson);
  if (fast) {
    return { kind: "bert-wordpiece-fast", hasOffsets: true, encode: (text, maxTokens) => fast.encode(text, maxTokens) };
  }
  const library = new LibraryTokenizer(tokenizerJson, tokenizerConfig);
  return {
    kind: "huggingface-tokenizers",
    hasOffsets: false,
    encode(text, maxTokens) {
      const ids = library.encode(text, { add_special_tokens: false }).ids;
      return { ids: Int32Array.from(maxTokens !== undefined && ids.length > maxTokens ? ids.slice(0, maxTokens) : ids) };
    },
  };
}
