import * as ort from "onnxruntime-node";
import { OpenRerankError } from "../../errors/catalog.js";
import type { BatchTensors } from "./batch-tensors.js";

export interface SessionSettings {
  /** Intra-op threads; default: the machine's available parallelism. */
  threads?: number;
}

/**
 * The CPU session options every engine session uses: ONNX Runtime's defaults where measuring
 * found nothing better (see docs/performance.md): intra-op threads = physical cores, spinning
 * on, memory pattern and arena on, full graph optimization. One inter-op thread: the graph is a
 * chain. The benchmark's MatMul roofline uses the same options, so the two stay comparable.
 */
export function cpuSessionOptions(settings: SessionSettings = {}): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    interOpNumThreads: 1,
    ...(settings.threads ? { intraOpNumThreads: settings.threads } : {}),
    enableCpuMemArena: true,
    enableMemPattern: true,
  };
}

/**
 * An ONNX Runtime session for a sequence-classification graph. onnxruntime-node's `run`
 * returns a promise but computes on the calling JavaScript thread (in a later macrotask, with
 * its intra-op pool helping), so a batch blocks that thread's event loop while it runs: the
 * server keeps each model on a worker thread of its own for that reason.
 */
export class CrossEncoderSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** Whether the graph takes `token_type_ids` (BERT does; XLM-R and DistilBERT exports do not). */
    readonly usesTokenTypes: boolean,
    readonly labels: number,
  ) {}

  static async create(modelPath: string, labels: number, settings: SessionSettings = {}): Promise<CrossEncoderSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, cpuSessionOptions(settings));
    } catch (error) {
      throw new OpenRerankError("model_load_failed", `ONNX Runtime could not load ${modelPath}: ${(error as Error).message}`, { modelPath }, { cause: error });
    }
    const inputs = session.inputNames;
    for (const required of ["input_ids", "attention_mask"]) {
      if (!inputs.includes(required)) {
        throw new OpenRerankError("model_load_failed", `${modelPath} has inputs [${inputs.join(", ")}]; a cross-encoder export needs input_ids and attention_mask.`, { modelPath, inputs });
      }
    }
    if (!session.outputNames.includes("logits")) {
      throw new OpenRerankError("model_load_failed", `${modelPath} has outputs [${session.outputNames.join(", ")}]; a sequence-classification export needs "logits".`, { modelPath });
    }
    return new CrossEncoderSession(session, inputs.includes("token_type_ids"), labels);
  }

  /** Logits of the batch, row-major [batchSize, labels]. */
  async run(batch: BatchTensors): Promise<Float32Array> {
    const dims = [batch.batchSize, batch.sequenceLength];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", batch.inputIds, dims),
      attention_mask: new ort.Tensor("int64", batch.attentionMask, dims),
    };
    if (this.usesTokenTypes) feeds.token_type_ids = new ort.Tensor("int64", batch.tokenTypeIds, dims);
    const output = await this.session.run(feeds, ["logits"]);
    const logits = output.logits;
    if (logits.dims.length !== 2 || logits.dims[0] !== batch.batchSize || logits.dims[1] !== this.labels) {
      throw new OpenRerankError("inference_failed", `the model returned logits of shape [${logits.dims.join(", ")}], expected [${batch.batchSize}, ${this.labels}] from config.json.`, {});
    }
    return logits.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
