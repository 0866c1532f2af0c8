import { readModelConfig } from "../backends/cross-encoder/model-config.js";
import { createTextTokenizer } from "../inference/tokenization/text-tokenizer.js";

/** Tokens in a text, special tokens excluded. */
export type TokenCounter = (text: string) => number;

/** A counter using the model directory's own tokenizer. */
export function createTokenCounter(modelDirectory: string): TokenCounter {
  const { tokenizerJson, tokenizerConfig } = readModelConfig(modelDirectory);
  const tokenizer = createTextTokenizer(tokenizerJson, tokenizerConfig);
  return (text) => tokenizer.encode(text).ids.length;
}

/**
 * Cuts a text to at most `maxTokens` tokens, at a word boundary when there is one: the
 * longest prefix that fits, found by binary search on its length. This is the simple cut
 * for Cohere's `max_tokens_per_doc`; windows over long documents are the documents layer's
 * job. Returns undefined when the text already fits.
 */
export function cutToTokens(text: string, maxTokens: number, countTokens: TokenCounter): string | undefined {
  if (countTokens(text) <= maxTokens) return undefined;
  let fits = 0;
  let tooLong = text.length;
  while (tooLong - fits > 1) {
    const middle = (fits + tooLong) >>> 1;
    if (countTokens(text.slice(0, middle)) <= maxTokens) fits = middle;
    else tooLong = middle;
  }
  // Do not split a surrogate pair, and prefer ending before a partly kept word.
  if (fits > 0 && /[\uD800-\uDBFF]/.test(text[fits - 1])) fits--;
  const lastSpace = text.slice(0, fits + 1).search(/\s\S*$/);
  const cut = lastSpace > 0 && !/\s/.test(text[fits] ?? " ") ? text.slice(0, lastSpace) : text.slice(0, fits);
  return cut.trimEnd();
}
