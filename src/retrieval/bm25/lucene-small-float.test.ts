import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { byte4ToInt, decodedLengthTable, intToByte4 } from "./lucene-small-float.js";

describe("Lucene SmallFloat length encoding", () => {
  it("keeps lengths below 24 exact", () => {
    for (let length = 0; length < 24; length++) assert.equal(byte4ToInt(intToByte4(length)), length);
  });

  it("keeps 4 significant bits above, rounding down", () => {
    // 200 − 24 = 176 = 0b1011_0000: 4 bits kept, so 200…215 share one byte.
    assert.equal(byte4ToInt(intToByte4(200)), 200);
    assert.equal(byte4ToInt(intToByte4(215)), 200);
    assert.equal(byte4ToInt(intToByte4(216)), 216);
    assert.equal(intToByte4(200), 67);
  });

  it("is monotonic and never decodes above the input", () => {
    let previous = -1;
    for (let length = 0; length < 100_000; length += 7) {
      const encoded = intToByte4(length);
      assert.ok(encoded >= previous);
      assert.ok(byte4ToInt(encoded) <= length);
      previous = encoded;
    }
  });

  it("fills a 256-entry decode table ending at the largest length", () => {
    assert.equal(decodedLengthTable.length, 256);
    assert.equal(byte4ToInt(255), 24 + 15 * 2 ** 27);
    assert.throws(() => intToByte4(-1), RangeError);
  });
});
