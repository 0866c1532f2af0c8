import { Type, type Static } from "@sinclair/typebox";

/**
 * Every error response. `message` is what Cohere clients read (Cohere's wording where Cohere
 * has one); `code` is the stable machine-readable kind from the error catalog.
 */
export const ErrorBody = Type.Object(
  {
    message: Type.String({ description: "What happened, with which value, and how to fix it." }),
    code: Type.String({ description: "Stable error code from the catalog, e.g. empty_query, queue_full." }),
    request_id: Type.String({ description: "This request's id (also the x-request-id header); quote it when reporting a 500." }),
    issues: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({ description: "The offending field, e.g. documents[3] or top_n." }),
          message: Type.String(),
          code: Type.String(),
        }),
        { description: "Schema problems with the body, first one first." },
      ),
    ),
    details: Type.Optional(Type.Object({}, { additionalProperties: true, description: "Structured facts about the error: the field, the limit, retryAfterSeconds…" })),
    error: Type.Optional(Type.String({ description: "TEI routes only: the message, where TEI clients read it." })),
    error_type: Type.Optional(Type.String({ description: "TEI routes only: Validation, Overloaded, Unhealthy or Backend." })),
  },
  { description: "An error." },
);

export type ErrorBody = Static<typeof ErrorBody>;

/** The `response` schema entries for the error statuses a route can answer. */
export function errorResponses(statuses: readonly number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}

/** Statuses every authenticated rerank route can answer. */
export const rerankErrorStatuses = [400, 401, 404, 413, 415, 429, 499, 500, 503, 504] as const;
