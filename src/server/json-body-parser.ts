import type { FastifyInstance } from "fastify";
import { OpenRerankError } from "../errors/catalog.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The body exactly as received, for echoing documents back byte for byte (Cohere v1 `return_documents`). */
    rawBody?: string;
  }
}

/**
 * Makes JSON the only accepted body type (anything else is 415) and keeps the raw text
 * beside the parsed value. A top-level field set to `null` counts as absent: the cohere-ai
 * SDK sends `null` for options the caller left unset (LangChain's `maxChunksPerDoc`), and
 * Cohere's API accepts that. Parsing goes through Fastify's own JSON parser, which rejects
 * `__proto__` and `constructor.prototype` keys (prototype poisoning).
 */
export function registerJsonBodyParser(app: FastifyInstance, bodyLimitBytes: number): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: bodyLimitBytes }, (request, body, done) => {
    const text = body as string;
    if (text.trim().length === 0) {
      done(emptyBodyError(), undefined);
      return;
    }
    request.rawBody = text;
    parseJson(request, text, (error, value) => {
      if (error) {
        done(new OpenRerankError("malformed_json", `the body is not valid JSON: ${jsonSyntaxProblem(text)}`, {}), undefined);
        return;
      }
      done(null, withoutNullFields(value));
    });
  });
}

/** Fastify's parser drops the reason; the native parser says where the syntax breaks (this runs only on failure). */
function jsonSyntaxProblem(text: string): string {
  try {
    JSON.parse(text);
    return "it contains a forbidden __proto__ or constructor.prototype key";
  } catch (error) {
    return (error as Error).message;
  }
}

function withoutNullFields(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === null) delete record[key];
  return record;
}

/** The one wording for an empty body, whether the parser or Fastify notices it first. */
export function emptyBodyError(): OpenRerankError {
  return new OpenRerankError("malformed_json", "the body is empty; send a JSON object", {});
}
