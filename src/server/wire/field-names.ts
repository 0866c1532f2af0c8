import type { OptionNames } from "../../reranker/warnings.js";

/**
 * The library's option names as Cohere's wire spells them. The library says `topN`; a Cohere
 * client sent `top_n` and reads `top_n` in messages, issue paths and warnings. This is the one
 * place the two vocabularies meet.
 */
export const cohereFieldNames = {
  topN: "top_n",
  maxTokensPerDoc: "max_tokens_per_doc",
  maxChunksPerDoc: "max_chunks_per_doc",
  windowOverlap: "window_overlap",
  returnPassages: "return_passages",
} as const satisfies OptionNames & Record<string, string>;

const libraryName = new RegExp(`\\b(${Object.keys(cohereFieldNames).join("|")})\\b`, "g");

/** A library message or issue path with every option named as the wire names it. */
export function toWireNames(text: string): string {
  return text.replace(libraryName, (name) => cohereFieldNames[name as keyof typeof cohereFieldNames]);
}
