import type { EvaluationReport } from "../evaluation-report.js";
import { randomWeightNotice } from "../../reranker/test-model-notice.js";

/** "BM25 (k1 0.9, b 0.4; index built)" or "run file runs/mine.trec". */
export function describeFirstStage(report: EvaluationReport): string {
  const firstStage = report.setup.firstStage;
  if (firstStage.kind === "run") return `run file ${firstStage.path}`;
  const { parameters, documents, terms, source } = firstStage.index;
  return `BM25 (k1 ${parameters.k1}, b ${parameters.b}; ${documents.toLocaleString("en-US")} documents, ${terms.toLocaleString("en-US")} terms; index ${source})`;
}

/** "test/minilm-l6 (int8, onnx/model_quantized.onnx, window 512 tokens)", flagged when it is a random-weight test model. */
export function describeReranker(report: EvaluationReport): string {
  const reranker = report.setup.reranker;
  if (!reranker) return "none";
  const label = `${reranker.model} (${reranker.dtype}, ${reranker.weightsFile}, window ${reranker.maxSequenceLength} tokens)`;
  return reranker.randomWeightTestModel ? `${label} — ${randomWeightNotice}` : label;
}

export function formatSigned(value: number): string {
  const fixed = value.toFixed(4);
  return value > 0 && fixed !== "0.0000" ? `+${fixed}` : fixed === "-0.0000" ? "0.0000" : fixed;
}

export function formatMilliseconds(milliseconds: number): string {
  if (milliseconds >= 10_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  if (milliseconds >= 100) return `${milliseconds.toFixed(0)} ms`;
  return `${milliseconds.toFixed(milliseconds >= 10 ? 1 : 2)} ms`;
}

/** "4.7 MB", "812 KB", "96 B" (decimal units). */
export function formatDecimalBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} KB`;
  return `${bytes} B`;
}
