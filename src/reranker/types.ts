/**
 * The reranker contract shared by every backend (ONNX cross-encoders now; LLM and GGUF
 * rerankers later). The service and CLI only ever talk to this interface.
 */

/** One reranked document. */
export interface RerankResult {
  /** Position of the document in the caller's input list. */
  index: number;
  /** The model's raw output for the document: the logit of a single-logit head, or the positive-class logit of a two-label head. */
  score: number;
  /** Calibrated relevance in [0, 1]: sigmoid of the logit (single-logit) or the positive-class probability (two-label). */
  relevanceScore: number;
  /** With `returnPassages`: the character span [start, end) of the best-scoring window in the original document (UTF-16 indices). */
  passage?: { start: number; end: number };
}

/** A degraded-but-valid call: the request was served, but not exactly as asked. */
export interface RerankWarning {
  /** Stable machine-readable kind, e.g. `document_truncated`. */
  code: string;
  message: string;
  /** Document indices the warning refers to, when it refers to some. */
  indices?: number[];
}

export interface RerankUsage {
  /** Query–document pairs scored by the model. */
  pairs: number;
  /** Real (unpadded) tokens fed to the model, special tokens included. */
  tokens: number;
  /**
   * Billing units by Cohere's rule: one unit per query with up to 100 documents, where a
   * document longer than 500 tokens (query included) counts as ceil(tokens / 500) documents.
   */
  searchUnits: number;
}

export interface RerankResponse {
  /** Most relevant first; ties keep the lower input index first. */
  results: RerankResult[];
  warnings: RerankWarning[];
  usage: RerankUsage;
}

export interface RerankOptions {
  /** Return only the best N results (default: all). Must be a positive integer; larger than the document count returns all. */
  topN?: number;
  /** Cancels pending scoring work; the promise rejects with `request_cancelled`. */
  signal?: AbortSignal;
  /** Tokens of each document kept before windowing; the rest is cut with a warning (default 4096, Cohere v2's `max_tokens_per_doc`). */
  maxTokensPerDoc?: number;
  /**
   * Windows scored per long document at most; later windows are dropped with a warning
   * (default: no cap; Cohere v1's `max_chunks_per_doc` is 10).
   */
  maxChunksPerDoc?: number;
  /** Tokens shared by consecutive windows of a long document (default 0, like Cohere). */
  windowOverlap?: number;
  /** Add each result's best-window character span as `passage` (default false). */
  returnPassages?: boolean;
}

/** What a loaded model is and which files it came from. */
export interface RerankerInfo {
  /** The id the model was requested by, e.g. `cross-encoder/ms-marco-MiniLM-L-6-v2`. */
  id: string;
  /** Backend that serves it, e.g. `cross-encoder-onnx`. */
  backend: string;
  /** Directory the model files were read from. */
  directory: string;
  /** The ONNX file that was loaded, relative to `directory`. */
  weightsFile: string;
  dtype: string;
  /** Model window in tokens (query + document + special tokens). */
  maxSequenceLength: number;
  /** Milliseconds spent loading (session creation and warm-up). */
  loadMs: number;
}

export interface Reranker {
  readonly info: RerankerInfo;
  rerank(query: string, documents: readonly string[], options?: RerankOptions): Promise<RerankResponse>;
  /** Releases native memory (ONNX sessions). The reranker must not be used afterwards. */
  dispose(): Promise<void>;
}
