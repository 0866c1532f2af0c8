import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { OpenRerankError } from "../../errors/catalog.js";
import { decodeBm25Index, encodeBm25Index, loadBm25Index, saveBm25Index } from "./bm25-index-file.js";
import { Bm25Index } from "./bm25-index.js";

const index = Bm25Index.build(
  [
    { id: "doc-1", text: "Café au lait: résumé of naïve coöperation" },
    { id: "doc-2", text: "Tumour necrosis factor α and interleukin 6" },
    { id: "δ-3", text: "tumor tumors tumour 日本 😀" },
  ],
  { parameters: { k1: 1.1, b: 0.5 } },
);

describe("BM25 index file", () => {
  const directory = mkdtemp(join(tmpdir(), "openrerank-bm25-"));
  after(async () => rm(await directory, { recursive: true, force: true }));

  it("round-trips every array, the parameters and the metadata", async () => {
    const path = join(await directory, "index.orbm25");
    await saveBm25Index(path, index.data, { corpusSha256: "abc" });
    const { data, metadata } = await loadBm25Index(path);
    assert.deepEqual(metadata, { corpusSha256: "abc" });
    assert.deepEqual(data, index.data);
    const reloaded = Bm25Index.fromData(data);
    assert.deepEqual(reloaded.search("tumour factor", 10), index.search("tumour factor", 10));
  });

  it("detects damage, foreign files and missing files with clear errors", async () => {
    const bytes = encodeBm25Index(index.data);
    const flipped = bytes.slice();
    flipped[bytes.length - 40] ^= 0xff;
    const isError = (pattern: RegExp) => (error: unknown) => error instanceof OpenRerankError && pattern.test(error.message);
    assert.throws(() => decodeBm25Index(flipped, "x.orbm25"), isError(/x\.orbm25 is damaged/));
    assert.throws(() => decodeBm25Index(bytes.subarray(0, bytes.length - 1), "x.orbm25"), isError(/damaged/));
    assert.throws(() => decodeBm25Index(new TextEncoder().encode("{\"not\":\"an index\"}".padEnd(64)), "y.json"), isError(/not an openrerank BM25 index/));
    const path = join(await directory, "other.bin");
    await writeFile(path, "hello");
    await assert.rejects(loadBm25Index(path), isError(/not an openrerank BM25 index/));
    await assert.rejects(loadBm25Index(join(await directory, "missing.orbm25")), isError(/Cannot read BM25 index/));
  });

  it("is compact: smaller than the flat arrays it stores", async () => {
    const path = join(await directory, "size.orbm25");
    const size = await saveBm25Index(path, index.data);
    assert.equal((await readFile(path)).length, size);
    assert.ok(size < index.approximateBytes);
  });
});
