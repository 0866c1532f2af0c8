import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tokenizeStandard } from "./standard-tokenizer.js";

// Expected tokens follow Lucene's StandardTokenizer (several cases are from Lucene's own
// TestStandardAnalyzer) and the UAX #29 rules it implements.
describe("tokenizeStandard (Lucene StandardTokenizer rules)", () => {
  const cases: [string, string[]][] = [
    ["Wikipedia is a free-content encyclopedia", ["Wikipedia", "is", "a", "free", "content", "encyclopedia"]],
    ["O'Reilly you're she's Jim's don't O'Reilly's", ["O'Reilly", "you're", "she's", "Jim's", "don't", "O'Reilly's"]],
    ["21.35 R2D2 C3PO 216.239.63.104", ["21.35", "R2D2", "C3PO", "216.239.63.104"]],
    ["David has 5000 bones", ["David", "has", "5000", "bones"]],
    ["안녕하세요 한글입니다", ["안녕하세요", "한글입니다"]],
    ["The U.S. FDA e.g. approval.", ["The", "U.S", "FDA", "e.g", "approval"]],
    ["IL-6 and TNF-α at 1,000.5 mg/kg (p<0.05)", ["IL", "6", "and", "TNF", "α", "at", "1,000.5", "mg", "kg", "p", "0.05"]],
    ["CD4+ p53 1.5mg Ca2+", ["CD4", "p53", "1.5mg", "Ca2"]],
    ["a.5 5.a a..b 3'5", ["a", "5", "5", "a", "a", "b", "3'5"]],
    ["foo_bar __x__ ___ a:b 3:4 a·b", ["foo_bar", "__x__", "a:b", "3", "4", "a·b"]],
    ["patients’ Patient’s", ["patients", "Patient’s"]],
    ["soft\u00adhyphen", ["soft\u00adhyphen"]],
    ["日本語テキストです", ["日", "本", "語", "テキスト", "で", "す"]],
    ["ภาษาไทย ok", ["ภาษาไทย", "ok"]],
    ["💩 💩💩 👍🏽 🇺🇸", ["💩", "💩", "💩", "👍🏽", "🇺🇸"]],
    ["Avastin® ™", ["Avastin", "®", "™"]],
    ["  -- ... !!! ", []],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(tokenizeStandard(text), expected);
    });
  }

  it("cuts tokens longer than the maximum into pieces", () => {
    assert.deepEqual(tokenizeStandard("abcdefg hi", 3), ["abc", "def", "g", "hi"]);
  });
});
