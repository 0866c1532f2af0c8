import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arrayElementSpans } from "./raw-json-spans.js";

const slices = (text: string, key: string) => arrayElementSpans(text, key)?.map(({ start, end }) => text.slice(start, end));

describe("arrayElementSpans", () => {
  it("returns each element exactly as written", () => {
    const text = `{"query":"q","documents":[ "a" , {"text":"b","n":1.50,"big":12345678901234567890} ,{"t":"\\u00e9"}],"top_n":2}`;
    assert.deepEqual(slices(text, "documents"), ['"a"', '{"text":"b","n":1.50,"big":12345678901234567890}', '{"t":"\\u00e9"}']);
  });

  it("is not fooled by brackets, quotes and escapes inside strings or by nesting", () => {
    const text = `{"x":"]}\\"[{","documents":[{"text":"a ] } \\" [ {","nested":{"deep":[1,[2,{"k":"]"}]]}}, [1, 2], null, true, -3e5]}`;
    assert.deepEqual(slices(text, "documents"), ['{"text":"a ] } \\" [ {","nested":{"deep":[1,[2,{"k":"]"}]]}}', "[1, 2]", "null", "true", "-3e5"]);
  });

  it("skips other keys holding arrays and objects, and uses the last duplicate like JSON.parse", () => {
    const text = `{"rank_fields":["documents"],"meta":{"documents":[9]},"documents":["first"],"documents":["second", "third"]}`;
    assert.deepEqual(slices(text, "documents"), ['"second"', '"third"']);
  });

  it("handles whitespace everywhere, escaped keys and empty arrays", () => {
    assert.deepEqual(slices(` \n{ "\\u0064ocuments" :\t[ ] } `, "documents"), []);
    assert.deepEqual(slices(`{\n  "documents": [\n    {"text": "a"}\n  ]\n}`, "documents"), ['{"text": "a"}']);
  });

  it("returns undefined when the key is missing or not an array, or the text is not an object", () => {
    assert.equal(arrayElementSpans(`{"query":"q"}`, "documents"), undefined);
    assert.equal(arrayElementSpans(`{"documents":"nope"}`, "documents"), undefined);
    assert.equal(arrayElementSpans(`{}`, "documents"), undefined);
    assert.equal(arrayElementSpans(`["documents"]`, "documents"), undefined);
  });
});
