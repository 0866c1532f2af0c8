import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OpenRerankError } from "../../src/errors/catalog.js";
import { formatTrecRun, readTrecRun, writeTrecRun } from "../../src/eval/trec-run.js";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "openrerank-trec-"));
});
after(async () => rm(root, { recursive: true, force: true }));

async function fileWith(name: string, content: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, content);
  return path;
}

describe("TREC runs", () => {
  it("reads qid Q0 docid rank score tag, keeping query order and ignoring stated ranks", async () => {
    const path = await fileWith("run.trec", "q2 Q0 d9 1 3.5 bm25\nq1 Q0 d1 7 -1.25e-3 bm25\n\nq1\tQ0\td2\t1\t2\tbm25\r\n");
    const run = await readTrecRun(path);
    assert.deepEqual([...run.keys()], ["q2", "q1"]);
    assert.deepEqual(run.get("q1"), [
      { documentId: "d1", score: -0.00125 },
      { documentId: "d2", score: 2 },
    ]);
  });

  it("writes documents in trec_eval order (score, then id descending) with ranks from 1, and reads back the same", async () => {
    const run = new Map([
      [
        "q1",
        [
          { documentId: "a", score: 1 },
          { documentId: "b", score: 1 },
          { documentId: "c", score: 2.5 },
        ],
      ],
    ]);
    assert.equal(formatTrecRun(run, "mine"), "q1 Q0 c 1 2.5 mine\nq1 Q0 b 2 1 mine\nq1 Q0 a 3 1 mine\n");
    const path = join(root, "written.trec");
    await writeTrecRun(path, run, "mine");
    assert.equal(await readFile(path, "utf8"), formatTrecRun(run, "mine"));
    const reread = await readTrecRun(path);
    assert.deepEqual(new Set(reread.get("q1")), new Set(run.get("q1")));
  });

  it("rejects bad lines with file, line and the expected layout", async () => {
    const failsWith = (pattern: RegExp) => (error: unknown) => error instanceof OpenRerankError && pattern.test(error.message);
    const cases: [string, RegExp][] = [
      ["q1 Q0 d1 1 0.5\n", /:1: found 5 field\(s\); expected 6 whitespace-separated fields: query-id Q0 doc-id rank score run-tag/],
      ["q1 Q0 d1 1 0.5 t\nq1 Q0 d1 x 0.5 t\n", /:2: rank "x" is not an integer \(are the columns in order\?\)/],
      ["q1 Q0 d1 1 NaN t\n", /:1: score "NaN" is not a finite number/],
      ["q1 Q0 d1 1 1 t\nq1 Q0 d1 2 0.5 t\n", /:2: document "d1" is listed again for query "q1" \(first on line 1\)/],
    ];
    for (const [index, [content, pattern]] of cases.entries()) {
      await assert.rejects(readTrecRun(await fileWith(`bad-${index}.trec`, content)), failsWith(pattern));
    }
  });

  it("refuses to write ids or tags that would break the whitespace-separated format", () => {
    assert.throws(() => formatTrecRun(new Map([["q 1", [{ documentId: "d", score: 1 }]]]), "t"), OpenRerankError);
    assert.throws(() => formatTrecRun(new Map(), "two words"), OpenRerankError);
  });
});
