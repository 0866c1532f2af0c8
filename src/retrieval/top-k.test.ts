import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectTopK } from "./top-k.js";

describe("selectTopK", () => {
  const values = [5, 1, 9, 3, 9, 7, 0, 2];
  // Higher value first; ties: lower index first.
  const better = (a: number, b: number): boolean => (values[a] !== values[b] ? values[a] > values[b] : a < b);

  it("returns the k best indices, best first, like a full sort", () => {
    const sorted = values.map((_, index) => index).sort((a, b) => (better(a, b) ? -1 : 1));
    for (let k = 0; k <= values.length + 2; k++) assert.deepEqual(selectTopK(values.length, k, better), sorted.slice(0, k));
  });

  it("handles empty input", () => {
    assert.deepEqual(selectTopK(0, 10, better), []);
  });
});
