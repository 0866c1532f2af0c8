import path from "node:path";
import { BatchScheduler, defaultBatchLimits, type BatchLimits, type BatchReport } from "../../inference/batching/batch-scheduler.js";
import type { ResolvedModel } from "../../inference/model-resolution/resolve-model.js";
import type { Dtype } from "../../inference/model-resolution/onnx-variants.js";
import { buildBatchTensors, type BatchTensors } from "../../inference/onnx/batch-tensors.js";
import { CrossEncoderSession } from "../../inference/onnx/cross-encoder-session.js";
import { PairEncoder, type EncodedPair } from "../../inference/tokenization/pair-encoder.js";
import { readPairTemplate } from "../../inference/tokenization/pair-template.js";
import { createTextTokenizer, type TokenizedText } from "../../inference/tokenization/text-tokenizer.js";
import { planTokenWindows, type TokenWindow } from "../../documents/token-windows.js";
import { rankResults, validatePositiveInteger, validateTopN, type ScoredDocument } from "../../reranker/rank-results.js";
import { billedDocumentCount, searchUnitsFor } from "../../reranker/search-units.js";
import type { Reranker, RerankerInfo, RerankOptions, RerankResponse, RerankWarning } from "../../reranker/types.js";
import { validateRerankInput } from "../../reranker/validate-rerank-input.js";
import { readModelConfig } from "./model-config.js";
import { readScoreHead, scoreRow, type ScoreHead } from "./score-head.js";

export interface CrossEncoderSettings {
  dtype: Dtype;
  /** ONNX Runtime intra-op threads (default: all available cores). */
  threads?: number;
  batchLimits?: Partial<BatchLimits>;
  /** Called after every model batch (metrics, benchmarks). */
  onBatch?: (report: BatchReport) => void;
}

/** Extra facts about a cross-encoder beyond the generic reranker info. */
export interface CrossEncoderInfo extends RerankerInfo {
  scoreHead: ScoreHead;
  tokenizer: string;
  isRandomWeightTestModel: boolean;
}

/**
 * A Hugging Face sequence-classification cross-encoder on ONNX Runtime: tokenizes each
 * (query, document) pair as the model was trained, scores pairs in token-budget batches
 * shared with concurrent calls, and ranks by the score head's log-odds.
 */
export class CrossEncoderReranker implements Reranker {
  private constructor(
    readonly info: CrossEncoderInfo,
    private readonly encoder: PairEncoder,
    private readonly scheduler: BatchScheduler<BatchTensors>,
    private readonly session: CrossEncoderSession,
  ) {}

  static async load(model: ResolvedModel, settings: CrossEncoderSettings): Promise<CrossEncoderReranker> {
    const started = performance.now();
    const modelConfig = readModelConfig(model.directory);
    const scoreHead = readScoreHead(modelConfig.config);
    const tokenizer = createTextTokenizer(modelConfig.tokenizerJson, modelConfig.tokenizerConfig);
    const template = readPairTemplate(modelConfig.tokenizerJson, modelConfig.config.model_type);
    const encoder = new PairEncoder(tokenizer, template, modelConfig.maxSequenceLength);
    const session = await CrossEncoderSession.create(path.join(model.directory, model.weightsFile), scoreHead.labels, { threads: settings.threads });
    const scheduler = new BatchScheduler<BatchTensors>(
      {
        labels: scoreHead.labels,
        prepare: (pairs) => buildBatchTensors(pairs, template, modelConfig.padId),
        execute: (tensors) => session.run(tensors),
      },
      { ...defaultBatchLimits, ...settings.batchLimits },
      settings.onBatch,
    );
    // Warm-up: the first run allocates ONNX Runtime's arena and plans memory; pay it at load, not on the first request.
    await scheduler.score([encoder.encodePair(encoder.encodeQuery("warm up"), tokenizer.encode("warm up the model").ids)]);
    const info: CrossEncoderInfo = {
      id: model.id,
      backend: "cross-encoder-onnx",
      directory: model.directory,
      weightsFile: model.weightsFile,
      dtype: settings.dtype,
      maxSequenceLength: modelConfig.maxSequenceLength,
      loadMs: performance.now() - started,
      scoreHead,
      tokenizer: tokenizer.kind,
      isRandomWeightTestModel: modelConfig.isRandomWeightTestModel,
    };
    return new CrossEncoderReranker(info, encoder, scheduler, session);
  }

  /** Pairs waiting in this model's batch queue. */
  get queuedPairs(): number {
    return this.scheduler.queuedPairs;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResponse> {
    validateRerankInput(query, documents);
    const topN = validateTopN(options.topN);
    const maxTokensPerDoc = validatePositiveInteger(options.maxTokensPerDoc, "maxTokensPerDoc") ?? defaultMaxTokensPerDoc;
    const maxChunksPerDoc = validatePositiveInteger(options.maxChunksPerDoc, "maxChunksPerDoc");
    const overlap = options.windowOverlap ?? 0;
    const warnings: RerankWarning[] = [];
    const encodedQuery = this.encoder.encodeQuery(query);
    if (encodedQuery.originalTokens > encodedQuery.ids.length) {
      warnings.push({
        code: "query_truncated",
        message: `the query has ${encodedQuery.originalTokens} tokens; it was truncated to ${encodedQuery.ids.length} (at most half of the ${this.info.maxSequenceLength}-token window, and never more than 2048).`,
      });
    }

    const windowSize = this.encoder.documentBudget(encodedQuery);
    const pairs: EncodedPair[] = [];
    /** For each document, its windows' first pair index and token spans. */
    const layouts: DocumentLayout[] = [];
    const cut: number[] = [];
    const windowsDropped: number[] = [];
    let billedDocuments = 0;
    for (let index = 0; index < documents.length; index++) {
      // One token past the limit tells whether the document was cut, without encoding all of it.
      const tokens = this.encoder.tokenizer.encode(documents[index], maxTokensPerDoc + 1);
      const ids = tokens.ids.length > maxTokensPerDoc ? tokens.ids.subarray(0, maxTokensPerDoc) : tokens.ids;
      if (ids.length < tokens.ids.length) cut.push(index);
      const plan = planTokenWindows(ids.length, windowSize, overlap, maxChunksPerDoc);
      if (plan.droppedWindows > 0) windowsDropped.push(index);
      layouts.push({ firstPair: pairs.length, windows: plan.windows, tokens });
      for (const window of plan.windows) pairs.push(this.encoder.encodePair(encodedQuery, ids.subarray(window.start, window.end)));
      billedDocuments += billedDocumentCount(encodedQuery.originalTokens + ids.length);
    }
    warnings.push(...documentWarnings(cut, windowsDropped, maxTokensPerDoc, maxChunksPerDoc));
    if (topN !== undefined && topN > documents.length) {
      warnings.push({ code: "top_n_exceeds_documents", message: `top_n is ${topN} but only ${documents.length} documents were given; all are returned.` });
    }
    const returnPassages = options.returnPassages === true && this.encoder.tokenizer.hasOffsets;
    if (options.returnPassages && !returnPassages) {
      warnings.push({ code: "passages_unavailable", message: `the ${this.encoder.tokenizer.kind} tokenizer of this model gives no character offsets, so passages are not returned.` });
    }

    const logits = await this.scheduler.score(pairs, options.signal);
    const passages = new Map<number, { start: number; end: number }>();
    const scored: ScoredDocument[] = layouts.map((layout, index) => {
      // A long document scores as its best window (Cohere's max rule); ties keep the earlier window.
      let best = scoreRow(this.info.scoreHead, logits, layout.firstPair);
      let bestWindow = 0;
      for (let w = 1; w < layout.windows.length; w++) {
        const candidate = scoreRow(this.info.scoreHead, logits, layout.firstPair + w);
        if (candidate.logOdds > best.logOdds) {
          best = candidate;
          bestWindow = w;
        }
      }
      if (returnPassages) passages.set(index, characterSpan(layout.tokens, layout.windows[bestWindow], documents[index].length));
      return { index, ...best };
    });
    const tokens = pairs.reduce((sum, pair) => sum + pair.length, 0);
    const results = rankResults(scored, topN).map((result) => (returnPassages ? { ...result, passage: passages.get(result.index) } : result));
    return { results, warnings, usage: { pairs: pairs.length, tokens, searchUnits: searchUnitsFor(billedDocuments) } };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

/** Cohere v2's default `max_tokens_per_doc`. */
export const defaultMaxTokensPerDoc = 4096;

interface DocumentLayout {
  firstPair: number;
  windows: TokenWindow[];
  tokens: TokenizedText;
}

/** The characters a window of tokens came from; an empty document window maps to an empty span. */
function characterSpan(tokens: TokenizedText, window: TokenWindow, textLength: number): { start: number; end: number } {
  if (!tokens.starts || !tokens.ends || window.end <= window.start) return { start: 0, end: window.end > window.start ? textLength : 0 };
  return { start: tokens.starts[window.start], end: tokens.ends[window.end - 1] };
}

function documentWarnings(cut: number[], windowsDropped: number[], maxTokensPerDoc: number, maxChunksPerDoc: number | undefined): RerankWarning[] {
  const list = (indices: number[]) => indices.slice(0, 10).join(", ") + (indices.length > 10 ? ", …" : "");
  const warnings: RerankWarning[] = [];
  if (cut.length > 0) {
    warnings.push({
      code: "documents_truncated",
      message: `${cut.length} document(s) had more than max_tokens_per_doc = ${maxTokensPerDoc} tokens and were cut to it (indices ${list(cut)}).`,
      indices: cut,
    });
  }
  if (windowsDropped.length > 0) {
    warnings.push({
      code: "chunks_dropped",
      message: `${windowsDropped.length} document(s) needed more than max_chunks_per_doc = ${maxChunksPerDoc} windows; only their first ${maxChunksPerDoc} windows were scored (indices ${list(windowsDropped)}).`,
      indices: windowsDropped,
    });
  }
  return warnings;
}
