/**
 * The backend specification, version 1: what a backend implements so `rerank()` can serve it
 * (the vercel/ai pattern: callers use `rerank()`, backends implement `doRerank()`). The
 * contract does the rest once for every backend: input validation, the NaN guard, ranking,
 * `topN`, calibration, the `topN` warning and search units.
 */
import type { RerankerInfo } from "./types.js";
import type { RerankWarning } from "./warnings.js";

/** A call as a backend receives it: validated, with every default applied. */
export interface BackendRerankCall {
  query: string;
  /** Non-empty texts, in the caller's order. */
  documents: readonly string[];
  /** Tokens of each document kept before windowing. */
  maxTokensPerDoc: number;
  /** Windows scored per document at most; undefined for no cap. */
  maxChunksPerDoc: number | undefined;
  /** Tokens shared by consecutive windows. */
  windowOverlap: number;
  /** Whether the caller wants each document's best-window character span. */
  returnPassages: boolean;
  signal?: AbortSignal;
}

/** One document's score, before ranking. */
export interface DocumentScore {
  /** Position in the call's documents. */
  index: number;
  /** The raw score reported to the caller (a logit, a grade…). */
  score: number;
  /** Monotone ranking key; `relevanceScore` is its sigmoid. */
  logOdds: number;
  /** The best window's character span, when passages were asked for and the backend has offsets. */
  passage?: { start: number; end: number };
}

export interface BackendRerankResult {
  /** One entry per document, in any order. */
  scores: DocumentScore[];
  usage: {
    /** Scored units of work (windows, LLM calls). */
    pairs: number;
    /** Tokens read by the model. */
    tokens: number;
    /** Documents as Cohere bills them (a long document counts as ceil(tokens / 500)). */
    billedDocuments: number;
  };
  warnings: RerankWarning[];
}

export interface RerankerBackend {
  readonly specificationVersion: "v1";
  readonly info: RerankerInfo;
  /**
   * Scores every document. The `do` prefix marks it as the backend side of the contract:
   * call `rerank()` instead, which validates the input and ranks the result.
   */
  doRerank(call: BackendRerankCall): Promise<BackendRerankResult>;
  /** Releases native memory, threads or connections. */
  dispose(): Promise<void>;
}
