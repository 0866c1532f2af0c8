import type { FastifyReply } from "fastify";
import { OpenRerankError } from "../errors/catalog.js";

/**
 * An AbortSignal for one request's scoring work. It aborts when the client goes away before
 * the response is sent (its queued pairs are dropped from the batch queue instead of being
 * computed for nobody) or when the request outlives `timeoutMs`. The abort reasons are
 * catalog errors, so the scheduler rejects with `request_cancelled` (499) or
 * `request_timeout` (504) and the error handler answers from the catalog.
 */
export function requestSignal(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new OpenRerankError(
        "request_timeout",
        `the request did not finish within ${timeoutMs} ms (the server's request timeout); its remaining documents were dropped. Send fewer documents per request, retry when the server is less busy, or raise --request-timeout-ms.`,
        { timeoutMs },
      ),
    );
  }, timeoutMs);
  timer.unref();
  reply.raw.once("close", () => {
    clearTimeout(timer);
    if (!reply.raw.writableFinished) {
      controller.abort(new OpenRerankError("request_cancelled", "the client closed the connection before the response was sent; its pending documents were dropped.", {}));
    }
  });
  return controller.signal;
}
