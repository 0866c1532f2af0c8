import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { OpenRerankError } from "../errors/catalog.js";
import "./route-config.js";

/**
 * Checks a supplied key against every configured key. Both sides are hashed first, so the
 * compared buffers always have the same length and `timingSafeEqual` takes the same time
 * whether a key differs in its first byte, its last, or its length; every key is compared,
 * so the time does not reveal which one matched either.
 */
export function createApiKeyVerifier(keys: readonly string[]): (supplied: string) => boolean {
  const digests = keys.map(sha256);
  return (supplied) => {
    const candidate = sha256(supplied);
    let matched = false;
    for (const digest of digests) matched = timingSafeEqual(digest, candidate) || matched;
    return matched;
  };
}

/**
 * Requires `Authorization: Bearer <key>` on every route except those declared public (and
 * `/metrics` unless `metricsAuth`). The header is the only place a key is read: a key in the
 * query string is no key (and logs never show query strings, see `redactedUrl`). Runs on
 * `onRequest`, before the body is read, so an unauthenticated client cannot make the server
 * parse a 32 MiB body. With no keys configured the API is open.
 */
export function registerApiKeyAuth(app: FastifyInstance, options: { apiKeys: readonly string[]; metricsAuth: boolean }): void {
  if (options.apiKeys.length === 0) return;
  const verify = createApiKeyVerifier(options.apiKeys);
  app.addHook("onRequest", async (request) => {
    const access = request.routeOptions.config?.access;
    if (access === "public" || (access === "metrics" && !options.metricsAuth)) return;
    if (request.routeOptions.url?.startsWith("/docs")) return;
    const header = request.headers.authorization ?? "";
    // "Bearer" with nothing after it is no key at all, not a wrong one.
    if (/^\s*(bearer\s*)?$/i.test(header)) {
      throw new OpenRerankError("unauthorized", "no api key supplied", { hint: "send Authorization: Bearer <key>" });
    }
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null || !verify(match[1])) throw new OpenRerankError("unauthorized", "invalid api token", {});
  });
}

/**
 * A request URL as logs may show it: the query string is replaced, whatever it holds. Keys
 * are only read from the Authorization header, but a client may still put one in the URL
 * (`?api_key=…`, `?token=…`, a bare `?sk-…`); no route reads a query parameter, so nothing
 * useful is lost.
 */
export function redactedUrl(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : `${url.slice(0, query)}?[redacted]`;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
