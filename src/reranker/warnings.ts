/**
 * The warnings a rerank call can return: degraded-but-valid calls (STYLE rule 6). Each is
 * typed with the facts it reports; its message is rendered from them with the caller's names
 * for the options, so the library says `maxTokensPerDoc` and the Cohere wire says
 * `max_tokens_per_doc` from the same warning.
 */
export type RerankWarningFacts =
  | { code: "query_truncated"; originalTokens: number; keptTokens: number; contextLength: number }
  | { code: "documents_truncated"; indices: number[]; maxTokensPerDoc: number }
  | { code: "chunks_dropped"; indices: number[]; maxChunksPerDoc: number }
  | { code: "top_n_exceeds_documents"; topN: number; documents: number }
  | { code: "passages_unavailable"; tokenizer: string };

/** A warning with its message in the library's option names. */
export type RerankWarning = RerankWarningFacts & { message: string };

export type RerankWarningCode = RerankWarning["code"];

/** What each option is called where a message is read: in the library, or on a wire format. */
export interface OptionNames {
  topN: string;
  maxTokensPerDoc: string;
  maxChunksPerDoc: string;
}

export const libraryOptionNames: OptionNames = { topN: "topN", maxTokensPerDoc: "maxTokensPerDoc", maxChunksPerDoc: "maxChunksPerDoc" };

/** A warning's message, naming options as `names` does. */
export function warningMessage(warning: RerankWarningFacts, names: OptionNames = libraryOptionNames): string {
  switch (warning.code) {
    case "query_truncated":
      return `the query has ${warning.originalTokens} tokens; it was truncated to ${warning.keptTokens} (at most half of the ${warning.contextLength}-token window, and never more than 2048).`;
    case "documents_truncated":
      return `${warning.indices.length} document(s) had more than ${names.maxTokensPerDoc} = ${warning.maxTokensPerDoc} tokens and were cut to it (indices ${listIndices(warning.indices)}).`;
    case "chunks_dropped":
      return `${warning.indices.length} document(s) needed more than ${names.maxChunksPerDoc} = ${warning.maxChunksPerDoc} windows; only their first ${warning.maxChunksPerDoc} windows were scored (indices ${listIndices(warning.indices)}).`;
    case "top_n_exceeds_documents":
      return `${names.topN} is ${warning.topN} but only ${warning.documents} documents were given; all are returned.`;
    case "passages_unavailable":
      return `the ${warning.tokenizer} tokenizer of this model gives no character offsets, so passages are not returned.`;
  }
}

/** Adds the library-worded message to a warning's facts. */
export function rerankWarning<Facts extends RerankWarningFacts>(facts: Facts): Facts & { message: string } {
  return { ...facts, message: warningMessage(facts) };
}

function listIndices(indices: readonly number[]): string {
  return indices.slice(0, 10).join(", ") + (indices.length > 10 ? ", …" : "");
}
