import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { OpenRerankError } from "../errors/catalog.js";
import type { Qrels } from "./evaluate-run.js";
import { readLines, readLinesWithDigest } from "./read-lines.js";

/** One corpus document (`corpus.jsonl`: `{"_id", "title", "text"}`). */
export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
}

export interface DatasetQuery {
  id: string;
  text: string;
}

/** A BEIR dataset directory loaded for one split. */
export interface BeirDataset {
  directory: string;
  split: string;
  corpus: CorpusDocument[];
  /** SHA-256 of corpus.jsonl, to tell whether a saved index was built from this corpus. */
  corpusSha256: string;
  /** The split's queries (those with judgments), in qrels order. */
  queries: DatasetQuery[];
  qrels: Qrels;
  /** Problems that do not stop evaluation, e.g. judged documents missing from the corpus. */
  warnings: string[];
}

/**
 * The text a document is searched and reranked by: title, a space, then text (just the text
 * when there is no title) — the "flat" form Pyserini's BEIR indexes use.
 */
export function beirDocumentText(document: CorpusDocument): string {
  return document.title ? `${document.title} ${document.text}` : document.text;
}

/**
 * Loads `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv` from a BEIR dataset directory.
 * Malformed lines fail with the file, the line and what was expected; a qrels query missing
 * from queries.jsonl is an error, a judged document missing from the corpus a warning.
 */
export async function loadBeirDataset(directory: string, split = "test"): Promise<BeirDataset> {
  const qrelsPath = join(directory, "qrels", `${split}.tsv`);
  await assertSplitExists(directory, split);
  const qrels = await readQrels(qrelsPath);
  const { corpus, sha256: corpusSha256 } = await readCorpus(join(directory, "corpus.jsonl"));
  const allQueries = await readQueries(join(directory, "queries.jsonl"));

  const queries: DatasetQuery[] = [];
  for (const queryId of qrels.keys()) {
    const text = allQueries.get(queryId);
    if (text === undefined) {
      throw new OpenRerankError(
        "invalid_dataset",
        `${qrelsPath} judges query "${queryId}", which ${join(directory, "queries.jsonl")} does not contain. Add the query or remove its judgments.`,
        { path: qrelsPath, queryId },
      );
    }
    queries.push({ id: queryId, text });
  }

  const warnings: string[] = [];
  const corpusIds = new Set(corpus.map((document) => document.id));
  const missing = new Set<string>();
  for (const judgments of qrels.values()) for (const documentId of judgments.keys()) if (!corpusIds.has(documentId)) missing.add(documentId);
  if (missing.size > 0) {
    const examples = [...missing].slice(0, 5).join(", ");
    warnings.push(
      `${missing.size} judged document(s) are not in the corpus (e.g. ${examples}); they can never be retrieved but still count as relevant, as in trec_eval.`,
    );
  }
  return { directory, split, corpus, corpusSha256, queries, qrels, warnings };
}

/** Reads `corpus.jsonl`; document ids must be unique. */
export async function readCorpus(path: string): Promise<{ corpus: CorpusDocument[]; sha256: string }> {
  const { lines, digest } = readLinesWithDigest(path);
  const corpus: CorpusDocument[] = [];
  const seen = new Map<string, number>();
  const expected = 'one JSON object per line, like {"_id": "d1", "title": "…", "text": "…"}';
  for await (const { line, lineNumber } of lines) {
    if (line.trim() === "") continue;
    const record = parseJsonObject(line, path, lineNumber, expected);
    const id = readId(record, path, lineNumber, expected);
    const title = record.title ?? "";
    const text = record.text;
    if (typeof title !== "string") throw lineError(path, lineNumber, `"title" is ${describe(title)}`, "a string (or no title field)");
    if (typeof text !== "string") throw lineError(path, lineNumber, `"text" is ${describe(text)}`, 'a string field "text"');
    const firstLine = seen.get(id);
    if (firstLine !== undefined) throw lineError(path, lineNumber, `document id "${id}" already appeared on line ${firstLine}`, "unique document ids");
    seen.set(id, lineNumber);
    corpus.push({ id, title, text });
  }
  return { corpus, sha256: digest() };
}

/** Reads `queries.jsonl` into id → text. */
export async function readQueries(path: string): Promise<Map<string, string>> {
  const queries = new Map<string, string>();
  const expected = 'one JSON object per line, like {"_id": "q1", "text": "…"}';
  for await (const { line, lineNumber } of readLines(path)) {
    if (line.trim() === "") continue;
    const record = parseJsonObject(line, path, lineNumber, expected);
    const id = readId(record, path, lineNumber, expected);
    if (typeof record.text !== "string") throw lineError(path, lineNumber, `"text" is ${describe(record.text)}`, 'a string field "text"');
    if (queries.has(id)) throw lineError(path, lineNumber, `query id "${id}" appears twice`, "unique query ids");
    queries.set(id, record.text);
  }
  return queries;
}

/**
 * Reads a BEIR qrels TSV: `query-id<TAB>corpus-id<TAB>score`, an optional header line, integer
 * scores (as trec_eval requires). A repeated (query, document) pair is an error, as in trec_eval.
 */
export async function readQrels(path: string): Promise<Qrels> {
  const qrels = new Map<string, Map<string, number>>();
  const expected = "3 tab-separated columns: query-id, corpus-id, integer score";
  for await (const { line, lineNumber } of readLines(path)) {
    if (line.trim() === "") continue;
    const columns = line.includes("\t") ? line.split("\t") : line.trim().split(/\s+/);
    if (columns.length !== 3) {
      const hint = columns.length === 4 ? " (this looks like TREC qrels 'qid 0 docid rel'; drop the second column)" : "";
      throw lineError(path, lineNumber, `found ${columns.length} column(s)${hint}`, expected);
    }
    const [queryId, documentId, scoreText] = columns.map((column) => column.trim());
    if (!/^-?\d+$/.test(scoreText)) {
      if (lineNumber === 1) continue; // the header: query-id corpus-id score
      throw lineError(path, lineNumber, `score "${scoreText}" is not an integer`, expected);
    }
    if (queryId === "" || documentId === "") throw lineError(path, lineNumber, "an id column is empty", expected);
    let judgments = qrels.get(queryId);
    if (!judgments) {
      judgments = new Map();
      qrels.set(queryId, judgments);
    }
    if (judgments.has(documentId)) {
      throw lineError(path, lineNumber, `query "${queryId}" judges document "${documentId}" twice`, "one judgment per query and document");
    }
    judgments.set(documentId, Number(scoreText));
  }
  if (qrels.size === 0) {
    throw new OpenRerankError("invalid_dataset", `${path} has no judgments. Expected ${expected}, after an optional header line.`, { path });
  }
  return qrels;
}

async function assertSplitExists(directory: string, split: string): Promise<void> {
  let files: string[];
  try {
    files = await readdir(join(directory, "qrels"));
  } catch {
    throw new OpenRerankError(
      "invalid_option",
      `${directory} is not a BEIR dataset directory: it has no qrels/ folder. Expected corpus.jsonl, queries.jsonl and qrels/<split>.tsv.`,
      { directory },
    );
  }
  const splits = files.filter((file) => file.endsWith(".tsv")).map((file) => file.slice(0, -4));
  if (!splits.includes(split)) {
    throw new OpenRerankError(
      "invalid_option",
      `Split "${split}" not found: ${join(directory, "qrels", `${split}.tsv`)} does not exist. Available splits: ${splits.join(", ") || "none"}.`,
      { directory, split, available: splits },
    );
  }
}

function parseJsonObject(line: string, path: string, lineNumber: number, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw lineError(path, lineNumber, `not valid JSON (${error instanceof Error ? error.message : String(error)})`, expected);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw lineError(path, lineNumber, `found ${describe(value)}`, expected);
  return value as Record<string, unknown>;
}

function readId(record: Record<string, unknown>, path: string, lineNumber: number, expected: string): string {
  const id = record._id;
  // Some BEIR exports write numeric ids; they are ids all the same.
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  if (typeof id !== "string" || id === "") throw lineError(path, lineNumber, `"_id" is ${describe(id)}`, expected);
  return id;
}

function lineError(path: string, lineNumber: number, problem: string, expected: string): OpenRerankError {
  return new OpenRerankError("invalid_dataset", `${path}:${lineNumber}: ${problem}; expected ${expected}.`, { path, line: lineNumber });
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `a ${typeof value}`;
}
