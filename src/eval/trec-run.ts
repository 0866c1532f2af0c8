import { open } from "node:fs/promises";
import { OpenRerankError } from "../errors/catalog.js";
import type { Run } from "./evaluate-run.js";
import { rankLikeTrecEval } from "./metrics.js";
import type { RankedDocument } from "./metrics.js";
import { readLines } from "./read-lines.js";

const expectedLine = "6 whitespace-separated fields: query-id Q0 doc-id rank score run-tag";

/**
 * Reads a TREC run file (`qid Q0 docid rank score tag` per line). As trec_eval does, ranking
 * uses the score and ignores the stated rank (which must still be an integer); a document listed
 * twice for one query is an error. Queries keep their file order.
 */
export async function readTrecRun(path: string): Promise<Map<string, RankedDocument[]>> {
  const run = new Map<string, RankedDocument[]>();
  const seen = new Map<string, Map<string, number>>();
  for await (const { line, lineNumber } of readLines(path)) {
    if (line.trim() === "") continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 6) throw runLineError(path, lineNumber, `found ${fields.length} field(s)`);
    const [queryId, , documentId, rankText, scoreText] = fields;
    if (!/^-?\d+$/.test(rankText)) throw runLineError(path, lineNumber, `rank "${rankText}" is not an integer (are the columns in order?)`);
    const score = Number(scoreText);
    if (scoreText === "" || !Number.isFinite(score)) throw runLineError(path, lineNumber, `score "${scoreText}" is not a finite number`);
    let documents = run.get(queryId);
    let lines = seen.get(queryId);
    if (!documents || !lines) {
      documents = [];
      lines = new Map();
      run.set(queryId, documents);
      seen.set(queryId, lines);
    }
    const firstLine = lines.get(documentId);
    if (firstLine !== undefined) {
      throw runLineError(path, lineNumber, `document "${documentId}" is listed again for query "${queryId}" (first on line ${firstLine})`);
    }
    lines.set(documentId, lineNumber);
    documents.push({ documentId, score });
  }
  return run;
}

/**
 * Formats a run in TREC format. Each query's documents are written in the order trec_eval will
 * rank them (score descending, then document id descending), with ranks from 1.
 */
export function formatTrecRun(run: Run, runTag: string): string {
  assertRunTag(runTag);
  const lines: string[] = [];
  for (const [queryId, documents] of run) {
    assertField(queryId, "query id");
    rankLikeTrecEval(documents).forEach((document, index) => {
      assertField(document.documentId, "document id");
      lines.push(`${queryId} Q0 ${document.documentId} ${index + 1} ${document.score} ${runTag}`);
    });
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** Writes {@link formatTrecRun} to `path`, one query at a time so large runs stay out of memory. */
export async function writeTrecRun(path: string, run: Run, runTag: string): Promise<void> {
  assertRunTag(runTag);
  const file = await open(path, "w");
  try {
    for (const [queryId, documents] of run) await file.write(formatTrecRun(new Map([[queryId, documents]]), runTag));
  } finally {
    await file.close();
  }
}

function assertRunTag(runTag: string): void {
  if (!/^\S+$/.test(runTag)) {
    throw new OpenRerankError("invalid_option", `Run tag "${runTag}" must be one word without whitespace, e.g. "openrerank-bm25".`, { runTag });
  }
}

function assertField(value: string, what: string): void {
  if (!/^\S+$/.test(value)) {
    throw new OpenRerankError(
      "invalid_dataset",
      `Cannot write ${what} "${value}" to a TREC run: TREC fields are whitespace-separated, so ids must be non-empty and contain no whitespace.`,
      { [what]: value },
    );
  }
}

function runLineError(path: string, lineNumber: number, problem: string): OpenRerankError {
  return new OpenRerankError("invalid_dataset", `${path}:${lineNumber}: ${problem}; expected ${expectedLine}.`, { path, line: lineNumber });
}
