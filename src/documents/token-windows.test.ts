import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planTokenWindows } from "./token-windows.js";
import { OpenRerankError } from "../errors/catalog.js";

/** Every token position is in some window, windows are in order and never longer than the size. */
function assertCovers(tokenCount: number, size: number, overlap: number): void {
  const { windows } = planTokenWindows(tokenCount, size, overlap);
  assert.equal(windows[0].start, 0);
  assert.equal(windows.at(-1)?.end, tokenCount);
  for (const [i, window] of windows.entries()) {
    assert.ok(window.end - window.start <= size && window.end > window.start);
    if (i > 0) {
      assert.equal(window.start, windows[i - 1].end - overlap, "gap or wrong overlap between windows");
    }
  }
}

describe("planTokenWindows", () => {
  it("keeps a document that fits in one window", () => {
    assert.deepEqual(planTokenWindows(100, 500, 0), { windows: [{ start: 0, end: 100 }], droppedWindows: 0 });
    assert.deepEqual(planTokenWindows(500, 500, 64), { windows: [{ start: 0, end: 500 }], droppedWindows: 0 });
  });

  it("splits without gaps, with and without overlap", () => {
    assert.deepEqual(planTokenWindows(1200, 500, 0).windows, [{ start: 0, end: 500 }, { start: 500, end: 1000 }, { start: 1000, end: 1200 }]);
    assert.deepEqual(planTokenWindows(1000, 500, 64).windows, [{ start: 0, end: 500 }, { start: 436, end: 936 }, { start: 872, end: 1000 }]);
    for (const [count, size, overlap] of [[1001, 500, 0], [4096, 503, 0], [4096, 503, 64], [10_000, 250, 125], [2, 1, 0]]) assertCovers(count, size, overlap);
  });

  it("keeps the first maxWindows and counts the rest as dropped", () => {
    const plan = planTokenWindows(5000, 500, 0, 3);
    assert.equal(plan.windows.length, 3);
    assert.equal(plan.droppedWindows, 7);
    assert.equal(plan.windows[2].end, 1500);
  });

  it("rejects an overlap of more than half the window and a window with no room", () => {
    assert.throws(() => planTokenWindows(1000, 500, 251), (error: unknown) => error instanceof OpenRerankError && /overlap 251 must be a whole number from 0 to 250 \(at most half/.test(error.message));
    assert.equal(planTokenWindows(1000, 500, 250).windows.length, 3);
    assert.throws(() => planTokenWindows(1000, 0, 0), (error: unknown) => error instanceof OpenRerankError && /no room/.test(error.message));
  });
});
