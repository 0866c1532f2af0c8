import { headlineMetricLabels, headlineMetrics } from "../evaluation-report.js";
import type { EvaluationReport } from "../evaluation-report.js";
import { describeFirstStage, describeReranker, formatDecimalBytes, formatMilliseconds, formatSigned } from "./describe.js";

/** The plain-text summary `openrerank eval` prints: setup, metric table, per-query verdicts, notices, timings. */
export function formatSummary(report: EvaluationReport): string {
  const lines: string[] = [];
  const { reranked, comparison } = report;
  lines.push(`${report.dataset} · ${report.split} · ${report.queries} queries · top ${report.setup.topK} candidates`);
  lines.push(`first stage: ${describeFirstStage(report)}`);
  if (report.setup.reranker) lines.push(`reranker:    ${describeReranker(report)}`);
  lines.push(`documents:   ${report.setup.documentText}`);
  lines.push("");

  const header = reranked ? ["metric", "first stage", "reranked", "Δ"] : ["metric", "first stage"];
  const rows = headlineMetrics.map((metric) => {
    const row = [headlineMetricLabels[metric], report.firstStage[metric].toFixed(4)];
    if (reranked) row.push(reranked[metric].toFixed(4), formatSigned(reranked[metric] - report.firstStage[metric]));
    return row;
  });
  lines.push(...formatTable(header, rows));

  if (comparison) {
    lines.push("");
    lines.push(`per query (${headlineMetricLabels[comparison.metric as keyof typeof headlineMetricLabels] ?? comparison.metric}): ${comparison.wins} wins, ${comparison.ties} ties, ${comparison.losses} losses`);
    lines.push(
      `same top-1 document: ${(100 * comparison.topOneAgreement).toFixed(1)}% of queries (${comparison.sameTopOne}/${comparison.comparableQueries})`,
    );
  }
  for (const notice of report.notices) lines.push(`note: ${notice}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);

  lines.push("");
  lines.push(`timings: ${formatTimings(report)}`);
  return `${lines.join("\n")}\n`;
}

function formatTimings(report: EvaluationReport): string {
  const { timings } = report;
  const parts = [`dataset ${formatMilliseconds(timings.loadDatasetMs)}`];
  const firstStage = report.setup.firstStage;
  if (firstStage.kind === "bm25" && timings.indexMs !== undefined) {
    const index = firstStage.index;
    const size = `${formatDecimalBytes(index.memoryBytes)} in memory${index.fileBytes !== undefined ? `, ${formatDecimalBytes(index.fileBytes)} on disk` : ""}`;
    parts.push(`index ${index.source} ${formatMilliseconds(timings.indexMs)} (${size})`);
  }
  const perQuery = timings.firstStagePerQuery ? `, p50 ${formatMilliseconds(timings.firstStagePerQuery.p50)}/query` : "";
  parts.push(`first stage ${formatMilliseconds(timings.firstStageMs)}${perQuery}`);
  if (timings.modelLoadMs !== undefined) parts.push(`model load ${formatMilliseconds(timings.modelLoadMs)}`);
  if (timings.rerankMs !== undefined && timings.rerankPerQuery) {
    parts.push(`rerank ${formatMilliseconds(timings.rerankMs)} (p50 ${formatMilliseconds(timings.rerankPerQuery.p50)}, p95 ${formatMilliseconds(timings.rerankPerQuery.p95)}/query)`);
  }
  parts.push(`evaluate ${formatMilliseconds(timings.evaluateMs)}`, `total ${formatMilliseconds(timings.totalMs)}`);
  return parts.join(" · ");
}

function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  const render = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  return [render(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(render)];
}
