import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { beirDocumentText, loadBeirDataset, readCorpus, readQrels, readQueries } from "../../src/eval/beir-dataset.js";
import { OpenRerankError } from "../../src/errors/catalog.js";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "openrerank-beir-"));
});
after(async () => rm(root, { recursive: true, force: true }));

async function makeDataset(name: string, files: Record<string, string>): Promise<string> {
  const directory = join(root, name);
  await mkdir(join(directory, "qrels"), { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(directory, file), content);
  return directory;
}

const corpus = ['{"_id": "d1", "title": "Title one", "text": "Body one"}', '{"_id": 2, "text": "Body two"}', ""].join("\n");
const queries = ['{"_id": "q1", "text": "first query"}', '{"_id": "q2", "text": "second"}', '{"_id": "q3", "text": "unjudged"}'].join("\n");
const qrels = "query-id\tcorpus-id\tscore\nq2\td1\t1\nq1\t2\t2\nq1\td1\t0\nq1\tmissing-doc\t1\n";

function failsWith(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof OpenRerankError, `expected an OpenRerankError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe("loadBeirDataset", () => {
  it("loads corpus, the split's queries in qrels order, graded qrels, and warns about unknown documents", async () => {
    const directory = await makeDataset("ok", { "corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": qrels });
    const dataset = await loadBeirDataset(directory, "test");
    assert.deepEqual(dataset.corpus, [
      { id: "d1", title: "Title one", text: "Body one" },
      { id: "2", title: "", text: "Body two" },
    ]);
    assert.deepEqual(
      dataset.queries.map((query) => query.id),
      ["q2", "q1"],
    );
    assert.deepEqual(
      [...dataset.qrels.get("q1")!],
      [
        ["2", 2],
        ["d1", 0],
        ["missing-doc", 1],
      ],
    );
    assert.equal(dataset.warnings.length, 1);
    assert.match(dataset.warnings[0], /1 judged document\(s\) are not in the corpus \(e\.g\. missing-doc\)/);
    assert.match(dataset.corpusSha256, /^[0-9a-f]{64}$/);
    assert.equal(beirDocumentText(dataset.corpus[0]), "Title one Body one");
    assert.equal(beirDocumentText(dataset.corpus[1]), "Body two");
  });

  it("names the missing split and lists the available ones", async () => {
    const directory = await makeDataset("split", { "corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": qrels });
    await assert.rejects(loadBeirDataset(directory, "dev"), failsWith(/Split "dev" not found: .*qrels\/dev\.tsv does not exist\. Available splits: test\./));
    await assert.rejects(loadBeirDataset(join(root, "nowhere")), failsWith(/is not a BEIR dataset directory: it has no qrels\/ folder/));
  });

  it("fails when the qrels judge a query that queries.jsonl lacks", async () => {
    const directory = await makeDataset("noquery", { "corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": "q9\td1\t1\n" });
    await assert.rejects(loadBeirDataset(directory), failsWith(/judges query "q9", which .*queries\.jsonl does not contain/));
  });
});

describe("bad files name the file, the line and what was expected", () => {
  const cases: [string, string, (path: string) => Promise<unknown>, RegExp][] = [
    ["corpus: broken JSON", '{"_id": "d1", "text": "ok"}\n{"_id": "d2", "text": ', readCorpus, /corpus\.jsonl:2: not valid JSON .*expected one JSON object per line/],
    ["corpus: missing text", '{"_id": "d1", "title": "t"}', readCorpus, /corpus\.jsonl:1: "text" is missing; expected a string field "text"/],
    ["corpus: missing id", '{"text": "x"}', readCorpus, /corpus\.jsonl:1: "_id" is missing/],
    ["corpus: duplicate id", '{"_id": "d1", "text": "a"}\n{"_id": "d1", "text": "b"}', readCorpus, /corpus\.jsonl:2: document id "d1" already appeared on line 1/],
    ["corpus: not an object", "[1, 2]", readCorpus, /corpus\.jsonl:1: found an array/],
    ["queries: text not a string", '{"_id": "q1", "text": 5}', readQueries, /queries\.jsonl:1: "text" is a number/],
    ["qrels: TREC format", "q1 0 d1 1\n", readQrels, /test\.tsv:1: found 4 column\(s\) \(this looks like TREC qrels/],
    ["qrels: fractional score", "query-id\tcorpus-id\tscore\nq1\td1\t0.5\n", readQrels, /test\.tsv:2: score "0\.5" is not an integer; expected 3 tab-separated columns/],
    ["qrels: duplicate judgment", "q1\td1\t1\nq1\td1\t2\n", readQrels, /test\.tsv:2: query "q1" judges document "d1" twice/],
    ["qrels: empty", "query-id\tcorpus-id\tscore\n", readQrels, /test\.tsv has no judgments/],
  ];
  for (const [name, content, read, pattern] of cases) {
    it(name, async () => {
      const file = name.startsWith("corpus") ? "corpus.jsonl" : name.startsWith("queries") ? "queries.jsonl" : "test.tsv";
      const directory = join(root, name.replace(/\W+/g, "-"));
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, file), content);
      await assert.rejects(read(join(directory, file)), failsWith(pattern));
    });
  }

  it("a missing file is named", async () => {
    await assert.rejects(readCorpus(join(root, "absent.jsonl")), failsWith(/File not found: .*absent\.jsonl/));
  });
});
