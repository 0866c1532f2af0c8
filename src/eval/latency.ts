/** Summary of per-query latencies, in milliseconds. */
export interface LatencySummary {
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

/** Mean, median, 95th percentile (nearest rank) and maximum; all 0 for no samples. */
export function summarizeLatencies(milliseconds: readonly number[]): LatencySummary {
  if (milliseconds.length === 0) return { mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...milliseconds].sort((a, b) => a - b);
  const nearestRank = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { mean, p50: nearestRank(0.5), p95: nearestRank(0.95), max: sorted[sorted.length - 1] };
}
