import type { PairTemplate, Segment } from "./pair-template.js";
import type { EncodedPair } from "./pair-encoder.js";

/** Row-major [batch, sequence] int64 inputs of a BERT-style cross-encoder. */
export interface BatchTensors {
  batchSize: number;
  sequenceLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/**
 * Writes a batch's pairs into int64 tensors padded to the batch's longest pair. Values are
 * small non-negative integers, so each int64 is written as its low 32-bit word through an
 * Int32Array view of the same buffer (little-endian), which avoids a BigInt per token.
 * Padding ids are 0 with mask 0: a masked position never changes a real token's output.
 */
export function buildBatchTensors(pairs: readonly EncodedPair[], template: PairTemplate, padId: number): BatchTensors {
  const batchSize = pairs.length;
  let sequenceLength = 0;
  for (const pair of pairs) sequenceLength = Math.max(sequenceLength, pair.length);
  const size = batchSize * sequenceLength;
  const inputIds = new BigInt64Array(size);
  const attentionMask = new BigInt64Array(size);
  const tokenTypeIds = new BigInt64Array(size);
  const ids32 = new Int32Array(inputIds.buffer);
  const mask32 = new Int32Array(attentionMask.buffer);
  const types32 = new Int32Array(tokenTypeIds.buffer);

  for (let row = 0; row < batchSize; row++) {
    const pair = pairs[row];
    let at = row * sequenceLength * 2;
    const writeSegment = (segment: Segment): void => {
      for (let i = 0; i < segment.ids.length; i++, at += 2) {
        ids32[at] = segment.ids[i];
        types32[at] = segment.typeIds[i];
        mask32[at] = 1;
      }
    };
    const writeTokens = (tokens: Int32Array, typeId: number): void => {
      for (let i = 0; i < tokens.length; i++, at += 2) {
        ids32[at] = tokens[i];
        types32[at] = typeId;
        mask32[at] = 1;
      }
    };
    writeSegment(template.prefix);
    writeTokens(pair.query, template.queryTypeId);
    writeSegment(template.middle);
    writeTokens(pair.document, template.documentTypeId);
    writeSegment(template.suffix);
    if (padId !== 0) {
      for (const end = (row + 1) * sequenceLength * 2; at < end; at += 2) ids32[at] = padId;
    }
  }
  return { batchSize, sequenceLength, inputIds, attentionMask, tokenTypeIds };
}
