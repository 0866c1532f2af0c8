/** One rerank request in the core's terms, whatever wire format it came in. */
export interface RerankCall {
  /** Model id or alias; undefined picks the only served model. */
  model: string | undefined;
  query: string;
  /** Ranked texts, in the caller's order. */
  texts: string[];
  topN?: number;
  /** Tokens of each document kept before windowing (Cohere's `max_tokens_per_doc`; engine default 4096). */
  maxTokensPerDoc?: number;
  /** Windows scored per long document at most (Cohere v1's `max_chunks_per_doc`; engine default: no cap). */
  maxChunksPerDoc?: number;
  /** Add each result's best-window character span (extension `return_passages`). */
  returnPassages?: boolean;
  /** Tokens shared by consecutive windows (extension `window_overlap`; default 0). */
  windowOverlap?: number;
  /** TEI has no model field: fall back to the first served model. */
  firstModelAsDefault?: boolean;
}
