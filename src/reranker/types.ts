/**
 * The reranker contract callers see, the same for every backend (ONNX cross-encoders now;
 * LLM, GGUF and remote rerankers later). The service and CLI only ever talk to `Reranker`;
 * backends implement `RerankerBackend` (reranker-spec.ts) and `rerank()` turns one into the other.
 */
import type { RerankWarning } from "./warnings.js";

export type { RerankWarning } from "./warnings.js";

/** One reranked document. */
export interface RerankResult {
  /** Position of the document in the caller's input list. */
  index: number;
  /** The backend's raw score: a cross-encoder's logit (single-logit head) or positive-class logit (two-label head). */
  score: number;
  /** Calibrated relevance in [0, 1]: the sigmoid of the document's log-odds. */
  relevanceScore: number;
  /** With `returnPassages`: the character span [start, end) of the best-scoring window in the original document (UTF-16 indices). */
  passage?: { start: number; end: number };
}

export interface RerankUsage {
  /** Query–document pairs scored by the model: one per window of each document. */
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

/** Cohere v2's default for `max_tokens_per_doc`: tokens of each document kept before windowing. */
export const defaultMaxTokensPerDoc = 4096;

export interface RerankOptions {
  /** Return only the best N results (default: all). Must be a positive integer; larger than the document count returns all, with a warning. */
  topN?: number;
  /** Cancels pending scoring work; the promise rejects with `request_cancelled` (or the signal's OpenRerankError reason). */
  signal?: AbortSignal;
  /** Tokens of each document kept before windowing; the rest is cut with a warning. @default 4096 (Cohere v2's `max_tokens_per_doc`) */
  maxTokensPerDoc?: number;
  /** Windows scored per long document at most; later windows are dropped with a warning. @default no cap (Cohere v1's `max_chunks_per_doc` is 10) */
  maxChunksPerDoc?: number;
  /** Tokens shared by consecutive windows of a long document. @default 0 (as Cohere) */
  windowOverlap?: number;
  /** Add each result's best-window character span as `passage`. @default false */
  returnPassages?: boolean;
}

/** What a loaded model is, whatever backend serves it. Plain data: it crosses worker threads. */
export interface RerankerInfo {
  /** The id the model was requested by, e.g. `cross-encoder/ms-marco-MiniLM-L-6-v2`. */
  id: string;
  /** The backend registry name that serves it, e.g. `cross-encoder-onnx`. */
  backend: string;
  /** The model window in tokens (query + document + special tokens), when the backend has one. */
  contextLength?: number;
  /** The weights' numeric precision when the backend has a choice, e.g. `fp32`, `int8`. */
  precision?: string;
  /** A random-weight test model (`make-test-model`): its scores mean nothing. */
  isTestModel: boolean;
  /** Milliseconds spent loading (files, session creation and warm-up). */
  loadMs: number;
  /** Backend-specific facts (cross-encoder-onnx: `directory`, `weightsFile`, `tokenizer`, `scoreHead`). */
  details: Record<string, unknown>;
}

export interface Reranker {
  readonly info: RerankerInfo;
  rerank(query: string, documents: readonly string[], options?: RerankOptions): Promise<RerankResponse>;
  /** Releases native memory and threads. The reranker must not be used afterwards. */
  dispose(): Promise<void>;
}
