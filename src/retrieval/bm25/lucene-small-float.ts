/**
 * Lucene's SmallFloat.intToByte4 / byte4ToInt: how Lucene (7+) stores a document's length in
 * one byte for BM25. Lengths below 24 are exact; above, only 4 significant bits survive and the
 * decoded length rounds down (e.g. 200…215 all read back as 200). BM25 scores computed from the
 * decoded length are what Lucene, and so Anserini/Pyserini, rank by.
 */

// Lengths 0…23 map to themselves; the other 232 byte values encode larger lengths.
const exactValues = 255 - longToInt4(2 ** 31 - 1);

/** Encodes a non-negative length (< 2^31) into a byte (0…255). */
export function intToByte4(length: number): number {
  if (!Number.isInteger(length) || length < 0 || length > 2 ** 31 - 1) {
    throw new RangeError(`A document length must be an integer in [0, 2^31 - 1]; got ${length}.`);
  }
  if (length < exactValues) return length;
  return exactValues + longToInt4(length - exactValues);
}

/** Decodes a byte written by {@link intToByte4} back to a (rounded-down) length. */
export function byte4ToInt(encoded: number): number {
  const value = encoded & 0xff;
  if (value < exactValues) return value;
  return exactValues + int4ToLong(value - exactValues);
}

/** Float-like encoding with 3 stored mantissa bits (plus an implicit one) and the shift above them. */
function longToInt4(value: number): number {
  const bits = 32 - Math.clz32(value);
  if (bits < 4) return value; // subnormal: stored as is
  const shift = bits - 4;
  // Keep the 4 most significant bits, drop the implicit leading one, store shift + 1 above them.
  return ((value >>> shift) & 0x07) | ((shift + 1) << 3);
}

function int4ToLong(encoded: number): number {
  const mantissa = encoded & 0x07;
  const shift = (encoded >>> 3) - 1;
  if (shift === -1) return mantissa;
  return (mantissa | 0x08) * 2 ** shift;
}

/** byte4ToInt for every byte value, as Lucene's BM25Similarity.LENGTH_TABLE. */
export const decodedLengthTable: Float32Array = Float32Array.from({ length: 256 }, (_, byte) => byte4ToInt(byte));
