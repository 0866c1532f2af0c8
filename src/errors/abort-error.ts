import { OpenRerankError } from "./catalog.js";

/**
 * The error a cancelled call rejects with: the signal's reason when it is already a catalog
 * error (a server's timeout or shutdown), `request_timeout` for `AbortSignal.timeout`, else
 * `request_cancelled`.
 */
export function abortError(signal: AbortSignal): OpenRerankError {
  const reason: unknown = signal.reason;
  if (reason instanceof OpenRerankError) return reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new OpenRerankError("request_timeout", "the request timed out before all documents were scored.", {});
  }
  return new OpenRerankError("request_cancelled", "the request was cancelled before all documents were scored.", {});
}
