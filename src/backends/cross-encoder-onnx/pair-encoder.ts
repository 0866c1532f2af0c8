import { specialTokenCount, type PairTemplate } from "./pair-template.js";
import type { TextTokenizer } from "../../inference/tokenization/text-tokenizer.js";

/** Cohere truncates queries to 2048 tokens; we never let a query take more than half the window either. */
export const maxQueryTokensCap = 2048;

/** A query tokenized once per request and shared by all of its pairs. */
export interface EncodedQuery {
  ids: Int32Array;
  /** Tokens the query had before truncation. */
  originalTokens: number;
}

/**
 * One (query, document) pair ready for the model. Only the token ids are kept; special
 * tokens and token types come from the template when the batch tensors are written, so a
 * pair costs no copy of the query.
 */
export interface EncodedPair {
  query: Int32Array;
  document: Int32Array;
  /** Total sequence length including special tokens. */
  length: number;
}

export class PairEncoder {
  readonly maxQueryTokens: number;
  private readonly specials: number;

  constructor(
    readonly tokenizer: TextTokenizer,
    readonly template: PairTemplate,
    /** The model window: query + document + special tokens. */
    readonly maxSequenceLength: number,
  ) {
    this.specials = specialTokenCount(template);
    this.maxQueryTokens = Math.min(maxQueryTokensCap, Math.floor(maxSequenceLength / 2));
  }

  encodeQuery(query: string): EncodedQuery {
    const { ids } = this.tokenizer.encode(query);
    return { ids: ids.length > this.maxQueryTokens ? ids.subarray(0, this.maxQueryTokens) : ids, originalTokens: ids.length };
  }

  /** Tokens a document may use next to this query before it is truncated. */
  documentBudget(query: EncodedQuery): number {
    return this.maxSequenceLength - this.specials - query.ids.length;
  }

  /** Pairs the query with a document, cutting the document's tail to fit the window. */
  encodePair(query: EncodedQuery, documentIds: Int32Array): EncodedPair {
    const budget = this.documentBudget(query);
    const document = documentIds.length > budget ? documentIds.subarray(0, budget) : documentIds;
    return { query: query.ids, document, length: query.ids.length + document.length + this.specials };
  }
}
