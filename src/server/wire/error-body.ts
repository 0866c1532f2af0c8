import { Type, type Static } from "@sinclair/typebox";
import { catalogStatuses, errorCatalog, type ErrorCode } from "../../errors/catalog.js";

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
        { description: "What is wrong with which field, first one first: schema problems, invalid input, a limit passed." },
      ),
    ),
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

/** Catalog codes no rerank request can cause: configuration, evaluation datasets, model loading at startup, unknown routes. */
export const codesNotFromRerankRequests: readonly ErrorCode[] = ["invalid_option", "invalid_dataset", "route_not_found", "model_load_failed", "model_download_failed"];

/** The codes a rerank route can answer: the catalog minus the ones above. */
export const rerankErrorCodes = (Object.keys(errorCatalog) as ErrorCode[]).filter((code) => !codesNotFromRerankRequests.includes(code));

/** Statuses every authenticated rerank route can answer, from the catalog. */
export const rerankErrorStatuses = catalogStatuses(rerankErrorCodes);
