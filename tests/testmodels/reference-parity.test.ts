import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { referenceLogits } from "../support/reference-bert.js";
import { buildModel, DOCUMENTS, encodePairs, maxAbsDifference, openSession, ortLogits, QUERY } from "./fixtures.js";

// Pairs of very different lengths, so the batch below pads most rows.
const pairs = encodePairs(QUERY, [DOCUMENTS[0], DOCUMENTS[2], DOCUMENTS[7], DOCUMENTS[9], DOCUMENTS[3]]);

for (const preset of ["tinybert-l2", "minilm-l6"] as const) {
  describe(`${preset}: ONNX Runtime equals the float64 BERT reference`, () => {
    const dir = buildModel(preset);
    const expected = referenceLogits(dir, pairs);

    it("one pair at a time (1e-4)", async () => {
      const session = await openSession(path.join(dir, "onnx/model.onnx"));
      const single: number[] = [];
      for (const pair of pairs) single.push(...(await ortLogits(session, [pair])));
      const difference = maxAbsDifference(single, await expected);
      assert.ok(difference < 1e-4, `max |ORT - reference| = ${difference}; ORT ${single.join(", ")}; reference ${(await expected).join(", ")}`);
      await session.release();
    });

    it("as one right-padded batch (1e-4)", async () => {
      const session = await openSession(path.join(dir, "onnx/model.onnx"));
      const batched = await ortLogits(session, pairs);
      const difference = maxAbsDifference(batched, await expected);
      assert.ok(difference < 1e-4, `max |ORT batched - reference| = ${difference}`);
      await session.release();
    });

    it("with graph optimizations disabled too (the fused graph computes the same function)", async () => {
      const session = await openSession(path.join(dir, "onnx/model.onnx"), { graphOptimizationLevel: "disabled" });
      const difference = maxAbsDifference(await ortLogits(session, pairs), await expected);
      assert.ok(difference < 1e-4, `max |ORT unoptimized - reference| = ${difference}`);
      await session.release();
    });
  });
}
