import { decodedLengthTable } from "./lucene-small-float.js";

/** BM25 free parameters. */
export interface Bm25Parameters {
  /** Term-frequency saturation (default 0.9, as Anserini/Pyserini; Lucene's own default is 1.2). */
  k1: number;
  /** Document-length normalization, 0 = none, 1 = full (default 0.4, as Anserini/Pyserini; Lucene's own is 0.75). */
  b: number;
}

export const defaultBm25Parameters: Readonly<Bm25Parameters> = Object.freeze({ k1: 0.9, b: 0.4 });

// Lucene scores in 32-bit floats; rounding every step the way Java does keeps ties and near-ties
// identical to Lucene's, which matters when matching Pyserini's runs to the third decimal.
const f32 = Math.fround;

/** Lucene's BM25 idf: ln(1 + (N − df + 0.5) / (df + 0.5)), as a float. Always positive. */
export function bm25Idf(documentCount: number, documentFrequency: number): number {
  return f32(Math.log(1 + (documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5)));
}

/** Lucene's average field length: total terms / documents, as a float. */
export function averageDocumentLength(totalTermCount: number, documentCount: number): number {
  return documentCount === 0 ? 0 : f32(totalTermCount / documentCount);
}

/**
 * 1 / (k1 · (1 − b + b · dl / avgdl)) for each of the 256 encoded lengths — Lucene's BM25Scorer
 * cache, so a posting is scored without a division by the length.
 */
export function lengthNormalizationTable(parameters: Bm25Parameters, averageLength: number): Float32Array {
  const k1 = f32(parameters.k1);
  const b = f32(parameters.b);
  const table = new Float32Array(256);
  for (let encoded = 0; encoded < 256; encoded++) {
    const lengthRatio = f32(f32(b * decodedLengthTable[encoded]) / averageLength);
    table[encoded] = f32(1 / f32(k1 * f32(f32(1 - b) + lengthRatio)));
  }
  return table;
}

/**
 * One term's contribution: weight · tf / (tf + k1 · (1 − b + b · dl / avgdl)), written as
 * Lucene 8+ computes it (weight − weight / (1 + tf · norm)). Lucene 8 dropped BM25's (k1 + 1)
 * numerator factor; a constant factor never changes a ranking. `weight` = query-term count × idf.
 */
export function bm25TermScore(weight: number, termFrequency: number, normInverse: number): number {
  return f32(weight - f32(weight / f32(1 + f32(termFrequency * normInverse))));
}
