import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { buildModel, DOCUMENTS, encodePairs, openSession, ortLogits, QUERY, standardDeviation } from "./fixtures.js";

// Downstream ranking tests need documents to score differently, and sigmoid(logit) to stay
// strictly inside (0, 1): random-weight models must spread logits, but within a sane range.
describe("test-model logits vary across documents", () => {
  for (const preset of ["tinybert-l2", "minilm-l6"] as const) {
    for (const seed of [42, 7]) {
      it(`${preset}, seed ${seed}: std of logits over ten documents > 0.3, all within ±15`, async () => {
        const session = await openSession(path.join(buildModel(preset, { seed, int8: false }), "onnx/model.onnx"));
        for (const query of [QUERY, "best pizza toppings"]) {
          const logits = await ortLogits(session, encodePairs(query, DOCUMENTS));
          assert.ok(standardDeviation(logits) > 0.3, `std ${standardDeviation(logits)} of ${logits.join(", ")}`);
          assert.ok(logits.every((logit) => Math.abs(logit) < 15), logits.join(", "));
          assert.equal(new Set(logits.map((logit) => logit.toFixed(3))).size, logits.length, "two documents got the same score");
        }
        await session.release();
      });
    }
  }
});
