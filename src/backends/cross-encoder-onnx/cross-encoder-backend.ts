import path from "node:path";
import { planTokenWindows, type TokenWindow } from "../../documents/token-windows.js";
import type { Admission } from "../../inference/batching/admission.js";
import { BatchScheduler, defaultBatchLimits, type BatchLimits, type BatchReport } from "../../inference/batching/batch-scheduler.js";
import type { ResolvedModel } from "../../inference/model-resolution/resolve-model.js";
import { createTextTokenizer, type TokenizedText } from "../../inference/tokenization/text-tokenizer.js";
import type { BackendRerankCall, BackendRerankResult, DocumentScore, RerankerBackend } from "../../reranker/reranker-spec.js";
import { billedDocumentCount } from "../../reranker/search-units.js";
import type { RerankerInfo } from "../../reranker/types.js";
import { rerankWarning, type RerankWarning } from "../../reranker/warnings.js";
import { buildBatchTensors, type BatchTensors } from "./batch-tensors.js";
import { readModelConfig } from "./model-config.js";
import type { Dtype } from "./onnx-layout.js";
import { CrossEncoderSession } from "./onnx-session.js";
import { PairEncoder, type EncodedPair } from "./pair-encoder.js";
import { readPairTemplate } from "./pair-template.js";
import { readScoreHead, scoreRow, type ScoreHead } from "./score-head.js";

export interface CrossEncoderSettings {
  dtype: Dtype;
  /** ONNX Runtime intra-op threads (default: all available cores). */
  threads?: number;
  batchLimits?: Partial<BatchLimits>;
  /** Called after every model batch (metrics, benchmarks). */
  onBatch?: (report: BatchReport) => void;
  /** The model's admission pool, when the host shares one with another thread. */
  admission?: Admission;
}

/** What `info.details` holds for this backend. */
export interface CrossEncoderDetails {
  directory: string;
  /** The ONNX file that was loaded, relative to `directory`. */
  weightsFile: string;
  tokenizer: string;
  scoreHead: ScoreHead;
}

/**
 * A Hugging Face sequence-classification cross-encoder on ONNX Runtime: tokenizes each
 * (query, document) pair as the model was trained, cuts long documents into windows, scores
 * pairs in token-budget batches shared with concurrent calls, and scores a document by its
 * best window's log-odds.
 */
export class CrossEncoderBackend implements RerankerBackend {
  readonly specificationVersion = "v1";

  private constructor(
    readonly info: RerankerInfo,
    private readonly scoreHead: ScoreHead,
    private readonly encoder: PairEncoder,
    private readonly scheduler: BatchScheduler<EncodedPair, BatchTensors>,
    private readonly session: CrossEncoderSession,
  ) {}

  static async load(model: ResolvedModel, settings: CrossEncoderSettings): Promise<CrossEncoderBackend> {
    const started = performance.now();
    const modelConfig = readModelConfig(model.directory);
    const scoreHead = readScoreHead(modelConfig.config);
    const tokenizer = createTextTokenizer(modelConfig.tokenizerJson, modelConfig.tokenizerConfig);
    const template = readPairTemplate(modelConfig.tokenizerJson, modelConfig.config.model_type);
    const encoder = new PairEncoder(tokenizer, template, modelConfig.maxSequenceLength);
    const session = await CrossEncoderSession.create(path.join(model.directory, model.weightsFile), scoreHead.labels, { threads: settings.threads });
    const scheduler = new BatchScheduler<EncodedPair, BatchTensors>(
      {
        rowWidth: scoreHead.labels,
        prepare: (pairs) => buildBatchTensors(pairs, template, modelConfig.padId),
        execute: (tensors) => session.run(tensors),
      },
      { ...defaultBatchLimits, ...settings.batchLimits },
      settings.onBatch,
      settings.admission,
    );
    // Warm-up: the first run allocates ONNX Runtime's arena and plans memory; pay it at load, not on the first request.
    // Then one full batch of ordinary-length pairs, so admission starts with a real measure of the model's speed.
    const warmUpQuery = encoder.encodeQuery("warm up");
    await scheduler.score([encoder.encodePair(warmUpQuery, tokenizer.encode("warm up the model").ids)]);
    const ordinaryPair = encoder.encodePair(warmUpQuery, tokenizer.encode("warm up the model with a passage of ordinary length ".repeat(12), 120).ids);
    const { maxBatchTokens, maxBatchSize } = { ...defaultBatchLimits, ...settings.batchLimits };
    const { maxPairsPerRequest = Infinity, maxTokensPerRequest = Infinity } = scheduler.admission.limits;
    const warmUpPairs = Math.min(maxBatchSize, maxPairsPerRequest, Math.floor(Math.min(maxBatchTokens, maxTokensPerRequest) / ordinaryPair.length));
    if (warmUpPairs > 0) await scheduler.score(Array.from({ length: warmUpPairs }, () => ordinaryPair));
    const details: CrossEncoderDetails = { directory: model.directory, weightsFile: model.weightsFile, tokenizer: tokenizer.kind, scoreHead };
    const info: RerankerInfo = {
      id: model.id,
      backend: "cross-encoder-onnx",
      contextLength: modelConfig.maxSequenceLength,
      precision: settings.dtype,
      isTestModel: modelConfig.isRandomWeightTestModel,
      loadMs: performance.now() - started,
      details: { ...details },
    };
    return new CrossEncoderBackend(info, scoreHead, encoder, scheduler, session);
  }

  async doRerank(call: BackendRerankCall): Promise<BackendRerankResult> {
    const { documents, maxTokensPerDoc, maxChunksPerDoc } = call;
    const warnings: RerankWarning[] = [];
    const encodedQuery = this.encoder.encodeQuery(call.query);
    if (encodedQuery.originalTokens > encodedQuery.ids.length) {
      warnings.push(rerankWarning({ code: "query_truncated", originalTokens: encodedQuery.originalTokens, keptTokens: encodedQuery.ids.length, contextLength: this.encoder.maxSequenceLength }));
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
      const plan = planTokenWindows(ids.length, windowSize, call.windowOverlap, maxChunksPerDoc);
      if (plan.droppedWindows > 0) windowsDropped.push(index);
      layouts.push({ firstPair: pairs.length, windows: plan.windows, tokens });
      for (const window of plan.windows) pairs.push(this.encoder.encodePair(encodedQuery, ids.subarray(window.start, window.end)));
      billedDocuments += billedDocumentCount(encodedQuery.originalTokens + ids.length);
    }
    if (cut.length > 0) warnings.push(rerankWarning({ code: "documents_truncated", indices: cut, maxTokensPerDoc }));
    if (windowsDropped.length > 0 && maxChunksPerDoc !== undefined) warnings.push(rerankWarning({ code: "chunks_dropped", indices: windowsDropped, maxChunksPerDoc }));
    const returnPassages = call.returnPassages && this.encoder.tokenizer.hasOffsets;
    if (call.returnPassages && !returnPassages) warnings.push(rerankWarning({ code: "passages_unavailable", tokenizer: this.encoder.tokenizer.kind }));

    const logits = await this.scheduler.score(pairs, call.signal);
    const scores: DocumentScore[] = layouts.map((layout, index) => {
      // A long document scores as its best window (Cohere's max rule); ties keep the earlier window.
      let best = scoreRow(this.scoreHead, logits, layout.firstPair);
      let bestWindow = 0;
      for (let w = 1; w < layout.windows.length; w++) {
        const candidate = scoreRow(this.scoreHead, logits, layout.firstPair + w);
        if (candidate.logOdds > best.logOdds) {
          best = candidate;
          bestWindow = w;
        }
      }
      const scored: DocumentScore = { index, ...best };
      if (returnPassages) scored.passage = characterSpan(layout.tokens, layout.windows[bestWindow], documents[index].length);
      return scored;
    });
    const tokens = pairs.reduce((sum, pair) => sum + pair.length, 0);
    return { scores, warnings, usage: { pairs: pairs.length, tokens, billedDocuments } };
  }

  /** Waits for the batch in flight (cancelled calls start no new one), then releases the session. */
  async dispose(): Promise<void> {
    await this.scheduler.idle();
    await this.session.dispose();
  }
}

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
