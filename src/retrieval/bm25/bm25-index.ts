import { OpenRerankError } from "../../errors/catalog.js";
import { selectTopK } from "../top-k.js";
import { averageDocumentLength, bm25Idf, bm25TermScore, defaultBm25Parameters, lengthNormalizationTable } from "./bm25-scoring.js";
import type { Bm25Parameters } from "./bm25-scoring.js";
import { createEnglishAnalyzer } from "./english-analyzer.js";
import type { TextAnalyzer } from "./english-analyzer.js";
import { intToByte4 } from "./lucene-small-float.js";

/** A document to index: its id and the text to match (e.g. title + " " + body). */
export interface Bm25Document {
  id: string;
  text: string;
}

/** One retrieved document. Scores are Lucene-compatible 32-bit floats. */
export interface Bm25Hit {
  documentId: string;
  score: number;
}

/**
 * Everything an index holds, in flat arrays (a compressed-sparse-row inverted index): the
 * postings of term t are entries postingStarts[t] … postingStarts[t + 1] − 1 of
 * postingDocuments (ascending document numbers) and postingFrequencies.
 */
export interface Bm25IndexData {
  analyzerId: string;
  parameters: Bm25Parameters;
  /** External id of each document number. */
  documentIds: string[];
  /** Each document's term count, encoded in one byte as Lucene stores it (SmallFloat). */
  lengthBytes: Uint8Array;
  /** Exact sum of all document lengths (for the average length). */
  totalTermCount: number;
  /** Vocabulary, sorted. */
  terms: string[];
  postingStarts: Uint32Array;
  postingDocuments: Uint32Array;
  postingFrequencies: Uint32Array;
}

export interface Bm25BuildOptions {
  /** Default: {@link createEnglishAnalyzer} with Lucene's English stopwords and Porter stemming. */
  analyzer?: TextAnalyzer;
  /** Default: k1 = 0.9, b = 0.4 (Anserini/Pyserini's BEIR settings). */
  parameters?: Partial<Bm25Parameters>;
  /** Called every 1,000 documents and at the end. */
  onProgress?: (indexed: number, total: number) => void;
}

/**
 * An in-memory BM25 index scored exactly as Lucene's BM25Similarity scores (Lucene 8+ formula,
 * one-byte lossy document lengths, float arithmetic), with queries as Anserini builds them: a
 * disjunction of the query's analyzed terms, each weighted by how often it occurs in the query.
 */
export class Bm25Index {
  readonly data: Bm25IndexData;
  readonly analyzer: TextAnalyzer;
  private readonly termNumbers: Map<string, number>;
  private readonly normInverse: Float32Array;
  // Reused across searches; a search is synchronous, so no two ever share them.
  private readonly scores: Float64Array;
  private readonly touched: Uint8Array;

  private constructor(data: Bm25IndexData, analyzer: TextAnalyzer) {
    this.data = data;
    this.analyzer = analyzer;
    this.termNumbers = new Map(data.terms.map((term, index) => [term, index]));
    const averageLength = averageDocumentLength(data.totalTermCount, data.documentIds.length);
    this.normInverse = lengthNormalizationTable(data.parameters, averageLength);
    this.scores = new Float64Array(data.documentIds.length);
    this.touched = new Uint8Array(data.documentIds.length);
  }

  /** Analyzes and indexes the documents. Document ids must be unique. */
  static build(documents: readonly Bm25Document[], options: Bm25BuildOptions = {}): Bm25Index {
    const analyzer = options.analyzer ?? createEnglishAnalyzer();
    const parameters = resolveParameters(options.parameters);
    const documentCount = documents.length;
    const lengthBytes = new Uint8Array(documentCount);
    const termNumbers = new Map<string, number>();
    const seenIds = new Set<string>();
    // Postings are first gathered as (term, document, frequency) triples in document order, then
    // grouped by term with a counting sort, which keeps documents ascending within each term.
    const triples = new TripleBuffer();
    let totalTermCount = 0;

    for (let documentNumber = 0; documentNumber < documentCount; documentNumber++) {
      const document = documents[documentNumber];
      if (seenIds.has(document.id)) {
        throw new OpenRerankError(
          "invalid_dataset",
          `Document id "${document.id}" appears twice (document ${documentNumber + 1}); BM25 needs unique ids. Remove or rename the duplicate.`,
          { documentId: document.id },
        );
      }
      seenIds.add(document.id);
      const terms = analyzer.analyze(document.text);
      lengthBytes[documentNumber] = intToByte4(terms.length);
      totalTermCount += terms.length;
      const frequencies = new Map<number, number>();
      for (const term of terms) {
        let termNumber = termNumbers.get(term);
        if (termNumber === undefined) {
          termNumber = termNumbers.size;
          termNumbers.set(term, termNumber);
        }
        frequencies.set(termNumber, (frequencies.get(termNumber) ?? 0) + 1);
      }
      for (const [termNumber, frequency] of frequencies) triples.push(termNumber, documentNumber, frequency);
      if (options.onProgress && ((documentNumber + 1) % 1000 === 0 || documentNumber + 1 === documentCount)) {
        options.onProgress(documentNumber + 1, documentCount);
      }
    }

    const data = groupPostings(triples, termNumbers, {
      analyzerId: analyzer.id,
      parameters,
      documentIds: documents.map((document) => document.id),
      lengthBytes,
      totalTermCount,
    });
    return new Bm25Index(data, analyzer);
  }

  /**
   * Wraps index data (e.g. read from disk). The analyzer must be the one the index was built
   * with; its id is checked.
   */
  static fromData(data: Bm25IndexData, analyzer: TextAnalyzer = createEnglishAnalyzer()): Bm25Index {
    if (data.analyzerId !== analyzer.id) {
      throw new OpenRerankError(
        "invalid_option",
        `The BM25 index was built with analyzer "${data.analyzerId}" but is being searched with "${analyzer.id}"; terms would not match. Rebuild the index or pass the analyzer it was built with.`,
        { indexAnalyzer: data.analyzerId, analyzer: analyzer.id },
      );
    }
    return new Bm25Index(data, analyzer);
  }

  /** The same postings searched with other k1/b (Lucene applies both at query time). */
  withParameters(parameters: Partial<Bm25Parameters>): Bm25Index {
    return new Bm25Index({ ...this.data, parameters: resolveParameters({ ...this.data.parameters, ...parameters }) }, this.analyzer);
  }

  get documentCount(): number {
    return this.data.documentIds.length;
  }

  /** Bytes held by the index's arrays (strings estimated at 2 bytes per character). */
  get approximateBytes(): number {
    const { data } = this;
    let stringBytes = 0;
    for (const id of data.documentIds) stringBytes += 2 * id.length;
    for (const term of data.terms) stringBytes += 2 * term.length;
    return (
      stringBytes +
      data.lengthBytes.byteLength +
      data.postingStarts.byteLength +
      data.postingDocuments.byteLength +
      data.postingFrequencies.byteLength
    );
  }

  /**
   * The `topK` best documents for `query`, best first. Equal scores keep corpus order (lower
   * document number first), as Lucene does. A query with no indexed term returns nothing.
   */
  search(query: string, topK: number): Bm25Hit[] {
    const { data, scores, touched, normInverse } = this;
    const queryTermCounts = new Map<string, number>();
    for (const term of this.analyzer.analyze(query)) queryTermCounts.set(term, (queryTermCounts.get(term) ?? 0) + 1);

    const candidates: number[] = [];
    for (const [term, count] of queryTermCounts) {
      const termNumber = this.termNumbers.get(term);
      if (termNumber === undefined) continue;
      const start = data.postingStarts[termNumber];
      const end = data.postingStarts[termNumber + 1];
      // Anserini boosts a repeated query term by its count: weight = boost × idf, in floats.
      const weight = Math.fround(count * bm25Idf(data.documentIds.length, end - start));
      for (let posting = start; posting < end; posting++) {
        const documentNumber = data.postingDocuments[posting];
        if (touched[documentNumber] === 0) {
          touched[documentNumber] = 1;
          candidates.push(documentNumber);
        }
        // Lucene sums clause scores in a double and rounds the total to a float once.
        scores[documentNumber] += bm25TermScore(weight, data.postingFrequencies[posting], normInverse[data.lengthBytes[documentNumber]]);
      }
    }

    const finalScores = candidates.map((documentNumber) => Math.fround(scores[documentNumber]));
    for (const documentNumber of candidates) {
      scores[documentNumber] = 0;
      touched[documentNumber] = 0;
    }
    const best = selectTopK(candidates.length, topK, (a, b) =>
      finalScores[a] !== finalScores[b] ? finalScores[a] > finalScores[b] : candidates[a] < candidates[b],
    );
    return best.map((candidate) => ({ documentId: data.documentIds[candidates[candidate]], score: finalScores[candidate] }));
  }
}

function resolveParameters(parameters: Partial<Bm25Parameters> = {}): Bm25Parameters {
  const resolved = { ...defaultBm25Parameters, ...parameters };
  if (!Number.isFinite(resolved.k1) || resolved.k1 < 0) {
    throw new OpenRerankError("invalid_option", `BM25 k1 must be a finite number ≥ 0; got ${resolved.k1}. Anserini uses 0.9, Lucene 1.2.`, {
      k1: resolved.k1,
    });
  }
  if (!Number.isFinite(resolved.b) || resolved.b < 0 || resolved.b > 1) {
    throw new OpenRerankError("invalid_option", `BM25 b must be a number in [0, 1]; got ${resolved.b}. Anserini uses 0.4, Lucene 0.75.`, {
      b: resolved.b,
    });
  }
  return resolved;
}

function groupPostings(
  triples: TripleBuffer,
  termNumbers: Map<string, number>,
  rest: Omit<Bm25IndexData, "terms" | "postingStarts" | "postingDocuments" | "postingFrequencies">,
): Bm25IndexData {
  const termCount = termNumbers.size;
  const postingCount = triples.length;
  const { termColumn, documentColumn, frequencyColumn } = triples.columns();

  // Counting sort by the order of first appearance…
  const counts = new Uint32Array(termCount);
  for (let i = 0; i < postingCount; i++) counts[termColumn[i]]++;
  // …laid out in sorted-term order, so the stored vocabulary is deterministic.
  const terms = [...termNumbers.keys()].sort();
  const postingStarts = new Uint32Array(termCount + 1);
  const writeCursor = new Uint32Array(termCount);
  for (let sorted = 0; sorted < termCount; sorted++) {
    const original = termNumbers.get(terms[sorted])!;
    writeCursor[original] = postingStarts[sorted];
    postingStarts[sorted + 1] = postingStarts[sorted] + counts[original];
  }
  const postingDocuments = new Uint32Array(postingCount);
  const postingFrequencies = new Uint32Array(postingCount);
  for (let i = 0; i < postingCount; i++) {
    const target = writeCursor[termColumn[i]]++;
    postingDocuments[target] = documentColumn[i];
    postingFrequencies[target] = frequencyColumn[i];
  }
  return { ...rest, terms, postingStarts, postingDocuments, postingFrequencies };
}

/** Three parallel growable Uint32 columns; 12 bytes per posting while building. */
class TripleBuffer {
  length = 0;
  private termColumn: Uint32Array = new Uint32Array(1 << 16);
  private documentColumn: Uint32Array = new Uint32Array(1 << 16);
  private frequencyColumn: Uint32Array = new Uint32Array(1 << 16);

  push(term: number, document: number, frequency: number): void {
    if (this.length === this.termColumn.length) this.grow();
    this.termColumn[this.length] = term;
    this.documentColumn[this.length] = document;
    this.frequencyColumn[this.length] = frequency;
    this.length++;
  }

  columns(): { termColumn: Uint32Array; documentColumn: Uint32Array; frequencyColumn: Uint32Array } {
    return {
      termColumn: this.termColumn.subarray(0, this.length),
      documentColumn: this.documentColumn.subarray(0, this.length),
      frequencyColumn: this.frequencyColumn.subarray(0, this.length),
    };
  }

  private grow(): void {
    const grown = (column: Uint32Array): Uint32Array => {
      const next = new Uint32Array(column.length * 2);
      next.set(column);
      return next;
    };
    this.termColumn = grown(this.termColumn);
    this.documentColumn = grown(this.documentColumn);
    this.frequencyColumn = grown(this.frequencyColumn);
  }
}
