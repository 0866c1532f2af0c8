import path from "node:path";
import { BatchScheduler, defaultBatchLimits, type BatchLimits, type BatchReport } from "../../inference/batching/batch-scheduler.js";
import type { ResolvedModel } from "../../inference/model-resolution/resolve-model.js";
import type { Dtype } from "../../inference/model-resolution/onnx-variants.js";
import { buildBatchTensors, type BatchTensors } from "../../inference/onnx/batch-tensors.js";
import { CrossEncoderSession } from "../../inference/onnx/cross-encoder-session.js";
import { PairEncoder, type EncodedPair } from "../../inference/tokenization/pair-encoder.js";
import { readPairTemplate } from "../../inference/tokenization/pair-template.js";
import { createTextTokenizer } from "../../inference/tokenization/text-tokenizer.js";
import { rankResults, validateTopN, type ScoredDocument } from "../../reranker/rank-results.js";
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
    const warnings: RerankWarning[] = [];
    const encodedQuery = this.encoder.encodeQuery(query);
    if (encodedQuery.originalTokens > encodedQuery.ids.length) {
      warnings.push({
        code: "query_truncated",
        message: `the query has ${encodedQuery.originalTokens} tokens; it was truncated to ${encodedQuery.ids.length} (at most half of the ${this.info.maxSequenceLength}-token window, and never more than 2048).`,
      });
    }

    const pairs: EncodedPair[] = [];
    const truncated: number[] = [];
    let billedDocuments = 0;
    for (let index = 0; index < documents.length; index++) {
      const { ids } = this.encoder.tokenizer.encode(documents[index]);
      const pair = this.encoder.encodePair(encodedQuery, ids);
      if (pair.document.length < ids.length) truncated.push(index);
      billedDocuments += billedDocumentCount(encodedQuery.originalTokens + ids.length);
      pairs.push(pair);
    }
    if (truncated.length > 0) {
      const shown = truncated.slice(0, 10).join(", ") + (truncated.length > 10 ? ", …" : "");
      warnings.push({
        code: "documents_truncated",
        message: `${truncated.length} document(s) exceeded the ${this.info.maxSequenceLength}-token window with this query and were truncated to ${this.encoder.documentBudget(encodedQuery)} tokens (indices ${shown}).`,
        indices: truncated,
      });
    }
    if (topN !== undefined && topN > documents.length) {
      warnings.push({ code: "top_n_exceeds_documents", message: `top_n is ${topN} but only ${documents.length} documents were given; all are returned.` });
    }

    const logits = await this.scheduler.score(pairs, options.signal);
    const scored: ScoredDocument[] = pairs.map((_, index) => ({ index, ...scoreRow(this.info.scoreHead, logits, index) }));
    const tokens = pairs.reduce((sum, pair) => sum + pair.length, 0);
    return { results: rankResults(scored, topN), warnings, usage: { pairs: pairs.length, tokens, searchUnits: searchUnitsFor(billedDocuments) } };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
