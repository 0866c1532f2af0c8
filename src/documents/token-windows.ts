import { OpenRerankError } from "../errors/catalog.js";

/** A window of a document: token positions [start, end). */
export interface TokenWindow {
  start: number;
  end: number;
}

export interface WindowPlan {
  windows: TokenWindow[];
  /** Windows beyond `maxWindows` that were not scored. */
  droppedWindows: number;
}

/**
 * Splits a document of `tokenCount` tokens into windows of at most `windowSize` tokens, each
 * starting `windowSize - overlap` after the previous, so together they cover the document with
 * no gap (Cohere's rule for long documents, with overlap 0 by default). At most `maxWindows`
 * are kept, from the start of the document.
 */
export function planTokenWindows(tokenCount: number, windowSize: number, overlap: number, maxWindows = Number.POSITIVE_INFINITY): WindowPlan {
  if (!Number.isInteger(windowSize) || windowSize < 1) {
    throw new OpenRerankError("invalid_request", `the query leaves no room for documents in the model window (window for the document: ${windowSize} tokens); shorten the query.`, { windowSize });
  }
  // At most half the window: more would score every token more than twice, multiplying the work for little gain.
  const maxOverlap = Math.floor(windowSize / 2);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > maxOverlap) {
    const message = `window overlap ${overlap} must be a whole number from 0 to ${maxOverlap} (at most half of the ${windowSize}-token document window, so a long document costs at most twice its windows).`;
    throw new OpenRerankError("invalid_request", message, { value: overlap, max: maxOverlap, issues: [{ path: "windowOverlap", code: "invalid_request", message }] });
  }
  if (tokenCount <= windowSize) return { windows: [{ start: 0, end: tokenCount }], droppedWindows: 0 };
  const stride = windowSize - overlap;
  const windows: TokenWindow[] = [];
  let total = 0;
  for (let start = 0; ; start += stride) {
    const end = Math.min(start + windowSize, tokenCount);
    total++;
    if (windows.length < maxWindows) windows.push({ start, end });
    if (end === tokenCount) break;
  }
  return { windows, droppedWindows: total - windows.length };
}
