import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deltaBins } from "./charts.js";

describe("deltaBins", () => {
  it("has 21 bins of 0.1 centred on −1…1, the middle one for unchanged queries", () => {
    const bins = deltaBins([0, 0, 1e-12, 0.04, 0.06, -1, 1, 0.5]);
    assert.equal(bins.length, 21);
    assert.deepEqual(bins[10], { start: -0.05, end: 0.05, queries: 4 });
    assert.equal(bins[11].queries, 1);
    assert.equal(bins[0].queries, 1);
    assert.equal(bins[20].queries, 1);
    assert.equal(bins[15].queries, 1);
    assert.equal(bins.reduce((sum, bin) => sum + bin.queries, 0), 8);
  });
});
