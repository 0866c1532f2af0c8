import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { loadBm25Index, saveBm25Index } from "../retrieval/bm25/bm25-index-file.js";
import { Bm25Index } from "../retrieval/bm25/bm25-index.js";
import type { Bm25Parameters } from "../retrieval/bm25/bm25-scoring.js";
import { beirDocumentText } from "./beir-dataset.js";
import type { BeirDataset, DatasetQuery } from "./beir-dataset.js";
import type { RankedDocument } from "./metrics.js";

export interface Bm25IndexReport {
  /** Whether the index was built now or read from `path`. */
  source: "built" | "loaded";
  /** Milliseconds to build or to read the index. */
  milliseconds: number;
  documents: number;
  terms: number;
  postings: number;
  parameters: Bm25Parameters;
  /** Bytes the index's arrays hold in memory. */
  memoryBytes: number;
  /** Process resident set size right after the index was ready. */
  processRssBytes: number;
  /** Where the index was read from or saved to, and its size there. */
  path?: string;
  fileBytes?: number;
}

export interface PrepareBm25Options {
  /** Read the index from this file when it was built from the same corpus; otherwise build it and save it here. */
  indexPath?: string;
  parameters?: Partial<Bm25Parameters>;
  onProgress?: (indexed: number, total: number) => void;
  /** Told when a saved index could not be reused. */
  onWarning?: (message: string) => void;
}

/** Builds (or reuses a saved) BM25 index over the dataset's title + " " + text. */
export async function prepareBm25Index(dataset: BeirDataset, options: PrepareBm25Options = {}): Promise<{ index: Bm25Index; report: Bm25IndexReport }> {
  const { indexPath } = options;
  if (indexPath && existsSync(indexPath)) {
    const started = performance.now();
    const { data, metadata } = await loadBm25Index(indexPath);
    if (metadata.corpusSha256 === dataset.corpusSha256) {
      const index = Bm25Index.fromData(data).withParameters(options.parameters ?? {});
      const report = describeIndex(index, "loaded", performance.now() - started, indexPath);
      report.fileBytes = (await stat(indexPath)).size;
      return { index, report };
    }
    options.onWarning?.(`the BM25 index at ${indexPath} was built from a different corpus; rebuilding it and overwriting the file.`);
  }
  const started = performance.now();
  const index = Bm25Index.build(
    dataset.corpus.map((document) => ({ id: document.id, text: beirDocumentText(document) })),
    { parameters: options.parameters, onProgress: options.onProgress },
  );
  const report = describeIndex(index, "built", performance.now() - started, indexPath);
  if (indexPath) report.fileBytes = await saveBm25Index(indexPath, index.data, { corpusSha256: dataset.corpusSha256 });
  return { index, report };
}

/** Searches every query; returns the run and each query's search time. */
export function retrieveWithBm25(
  index: Bm25Index,
  queries: readonly DatasetQuery[],
  topK: number,
  onProgress?: (done: number, total: number) => void,
): { run: Map<string, RankedDocument[]>; latencyMs: Map<string, number> } {
  const run = new Map<string, RankedDocument[]>();
  const latencyMs = new Map<string, number>();
  for (const [done, query] of queries.entries()) {
    const started = performance.now();
    run.set(query.id, index.search(query.text, topK));
    latencyMs.set(query.id, performance.now() - started);
    onProgress?.(done + 1, queries.length);
  }
  return { run, latencyMs };
}

function describeIndex(index: Bm25Index, source: Bm25IndexReport["source"], milliseconds: number, path: string | undefined): Bm25IndexReport {
  const report: Bm25IndexReport = {
    source,
    milliseconds,
    documents: index.documentCount,
    terms: index.data.terms.length,
    postings: index.data.postingDocuments.length,
    parameters: index.data.parameters,
    memoryBytes: index.approximateBytes,
    processRssBytes: process.memoryUsage().rss,
  };
  if (path) report.path = path;
  return report;
}
