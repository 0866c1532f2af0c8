/** Cohere bills a document longer than this many tokens (query included) as several documents. */
export const tokensPerBilledDocument = 500;
/** Cohere bills one search unit per query with up to this many (billed) documents. */
export const documentsPerSearchUnit = 100;

/** How many documents one document counts as: ceil(tokens / 500), at least one. */
export function billedDocumentCount(tokens: number): number {
  return Math.max(1, Math.ceil(tokens / tokensPerBilledDocument));
}

/** Search units for a query over documents that count as `billedDocuments` in all. */
export function searchUnitsFor(billedDocuments: number): number {
  return Math.max(1, Math.ceil(billedDocuments / documentsPerSearchUnit));
}
