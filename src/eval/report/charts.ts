import { View, parse } from "vega";
import { compile } from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { headlineMetricLabels, headlineMetrics } from "../evaluation-report.js";
import type { EvaluationReport } from "../evaluation-report.js";

/** One chart, rendered to a static SVG string (no script needed to view it). */
export interface RenderedChart {
  /** Stable id, used as the figure's `data-chart` attribute. */
  id: "metrics" | "ndcg-delta" | "latency";
  title: string;
  caption: string;
  svg: string;
}

const colors = { firstStage: "#7f8c9a", reranked: "#2f6fdf" };
const deltaBinWidth = 0.1;

/**
 * The report's charts: metric bars (first stage vs reranked), a histogram of per-query ΔnDCG@10
 * (when reranked) and per-query latency by stage. Vega-Lite specs rendered to SVG in Node.
 */
export async function renderCharts(report: EvaluationReport): Promise<RenderedChart[]> {
  const charts: RenderedChart[] = [];
  charts.push({
    id: "metrics",
    title: "Metrics",
    caption: report.reranked ? "First stage vs reranked, averaged over all judged queries." : "First stage, averaged over all judged queries.",
    svg: await toSvg(metricBarsSpec(report)),
  });
  if (report.reranked) {
    charts.push({
      id: "ndcg-delta",
      title: "Per-query ΔnDCG@10",
      caption: `Reranked minus first-stage nDCG@10 for each query, in bins of ${deltaBinWidth} centred on multiples of ${deltaBinWidth} (the middle bar counts queries that did not change).`,
      svg: await toSvg(deltaHistogramSpec(report)),
    });
  }
  if (report.perQuery.some((query) => query.firstStageMs !== undefined || query.rerankMs !== undefined)) {
    charts.push({
      id: "latency",
      title: "Latency per query",
      caption: "Each stage's time per query, queries sorted from fastest to slowest (x = share of queries).",
      svg: await toSvg(latencySpec(report)),
    });
  }
  return charts;
}

/** Bin edges for {@link deltaHistogramSpec}: 21 bins of width 0.1 covering [−1.05, 1.05]. */
export function deltaBins(deltas: readonly number[]): { start: number; end: number; queries: number }[] {
  const binCount = Math.round(2 / deltaBinWidth) + 1;
  const bins = Array.from({ length: binCount }, (_, bin) => {
    const centre = -1 + bin * deltaBinWidth;
    return { start: round(centre - deltaBinWidth / 2), end: round(centre + deltaBinWidth / 2), queries: 0 };
  });
  for (const delta of deltas) {
    const bin = Math.min(binCount - 1, Math.max(0, Math.round((delta + 1) / deltaBinWidth)));
    bins[bin].queries++;
  }
  return bins;
}

function metricBarsSpec(report: EvaluationReport): TopLevelSpec {
  const values = headlineMetrics.flatMap((metric) => {
    const rows = [{ metric: headlineMetricLabels[metric], system: "first stage", value: report.firstStage[metric] }];
    if (report.reranked) rows.push({ metric: headlineMetricLabels[metric], system: "reranked", value: report.reranked[metric] });
    return rows;
  });
  return {
    width: 460,
    height: 240,
    data: { values },
    mark: { type: "bar", tooltip: false },
    encoding: {
      x: { field: "metric", type: "nominal", sort: headlineMetrics.map((metric) => headlineMetricLabels[metric]), title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "system", type: "nominal" },
      y: { field: "value", type: "quantitative", scale: { domain: [0, 1] }, title: "score" },
      color: {
        field: "system",
        type: "nominal",
        scale: { domain: ["first stage", "reranked"], range: [colors.firstStage, colors.reranked] },
        legend: { orient: "top", title: null },
      },
    },
  };
}

function deltaHistogramSpec(report: EvaluationReport): TopLevelSpec {
  const deltas = report.perQuery.flatMap((query) => (query.deltaNdcg10 === undefined ? [] : [query.deltaNdcg10]));
  return {
    width: 460,
    height: 220,
    data: { values: deltaBins(deltas) },
    mark: { type: "bar", color: colors.reranked, tooltip: false },
    encoding: {
      x: {
        field: "start",
        type: "quantitative",
        bin: { binned: true, step: deltaBinWidth },
        title: "ΔnDCG@10 (reranked − first stage)",
        scale: { domain: [-1.05, 1.05] },
        axis: { values: [-1, -0.5, 0, 0.5, 1], format: "+.1~f" },
      },
      x2: { field: "end" },
      y: { field: "queries", type: "quantitative", title: "queries" },
    },
  };
}

function latencySpec(report: EvaluationReport): TopLevelSpec {
  const stages: { stage: string; milliseconds: number[] }[] = [
    { stage: "first stage", milliseconds: report.perQuery.flatMap((query) => (query.firstStageMs === undefined ? [] : [query.firstStageMs])) },
    { stage: "rerank", milliseconds: report.perQuery.flatMap((query) => (query.rerankMs === undefined ? [] : [query.rerankMs])) },
  ].filter((stage) => stage.milliseconds.length > 0);
  const values = stages.flatMap(({ stage, milliseconds }) =>
        // A log scale cannot show 0; a timer can read 0 for a trivial query.
    [...milliseconds].sort((a, b) => a - b).map((value, rank) => ({ stage, share: (rank + 1) / milliseconds.length, milliseconds: Math.max(value, 0.001) })),
  );
  return {
    width: 460,
    height: 220,
    data: { values },
    mark: { type: "line", interpolate: "step-after", tooltip: false },
    encoding: {
      x: { field: "share", type: "quantitative", title: "share of queries", axis: { format: "%" }, scale: { domain: [0, 1] } },
      // Log scale: BM25 takes fractions of a millisecond, a cross-encoder hundreds.
      y: { field: "milliseconds", type: "quantitative", title: "ms per query (log scale)", scale: { type: "log" } },
      color: {
        field: "stage",
        type: "nominal",
        scale: { domain: ["first stage", "rerank"], range: [colors.firstStage, colors.reranked] },
        legend: { orient: "top", title: null },
      },
    },
  };
}

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile({ ...spec, background: "white", config: { font: "system-ui, sans-serif" } }).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
