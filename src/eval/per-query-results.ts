import type { DatasetQuery } from "./beir-dataset.js";
import type { RunEvaluation } from "./evaluate-run.js";
import type { HeadlineValues, PerQueryResult } from "./evaluation-report.js";
import { topDocument } from "./compare-runs.js";
import type { RankedDocument } from "./metrics.js";

export interface PerQueryInputs {
  queries: readonly DatasetQuery[];
  firstStageRun: ReadonlyMap<string, readonly RankedDocument[]>;
  firstStage: RunEvaluation;
  rerankedRun?: ReadonlyMap<string, readonly RankedDocument[]>;
  reranked?: RunEvaluation;
  firstStageLatencyMs?: ReadonlyMap<string, number>;
  rerankLatencyMs?: ReadonlyMap<string, number>;
}

/** One row per judged query: both runs' metrics, ΔnDCG@10, top-1 agreement and latencies. */
export function perQueryResults(inputs: PerQueryInputs): PerQueryResult[] {
  return inputs.queries.map((query) => {
    const firstStage = inputs.firstStage.perQuery.get(query.id) as HeadlineValues;
    const result: PerQueryResult = { queryId: query.id, candidates: inputs.firstStageRun.get(query.id)?.length ?? 0, firstStage };
    if (inputs.reranked && inputs.rerankedRun) {
      const reranked = inputs.reranked.perQuery.get(query.id) as HeadlineValues;
      result.reranked = reranked;
      result.deltaNdcg10 = reranked["ndcg@10"] - firstStage["ndcg@10"];
      const before = topDocument(inputs.firstStageRun.get(query.id) ?? []);
      const after = topDocument(inputs.rerankedRun.get(query.id) ?? []);
      if (before !== undefined && after !== undefined) result.sameTopOne = before === after;
    }
    const firstStageMs = inputs.firstStageLatencyMs?.get(query.id);
    if (firstStageMs !== undefined) result.firstStageMs = firstStageMs;
    const rerankMs = inputs.rerankLatencyMs?.get(query.id);
    if (rerankMs !== undefined) result.rerankMs = rerankMs;
    return result;
  });
}
