import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summarizeLatencies } from "./latency.js";

describe("summarizeLatencies", () => {
  it("uses nearest-rank percentiles", () => {
    const samples = Array.from({ length: 20 }, (_, index) => index + 1); // 1…20
    assert.deepEqual(summarizeLatencies(samples), { mean: 10.5, p50: 10, p95: 19, max: 20 });
  });
  it("is all zeros without samples", () => {
    assert.deepEqual(summarizeLatencies([]), { mean: 0, p50: 0, p95: 0, max: 0 });
  });
});
