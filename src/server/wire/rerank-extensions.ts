import { Type } from "@sinclair/typebox";
import type { RerankResponse, RerankResult } from "../../reranker/types.js";
import { warningMessage } from "../../reranker/warnings.js";
import { cohereFieldNames } from "./field-names.js";
import type { RerankCall } from "./rerank-call.js";

/**
 * openrerank's opt-in extensions to Cohere's rerank requests. They are off by default, so
 * strict Cohere clients see exactly Cohere's wire shape; `meta.tokens` uses the field name
 * Cohere's own `ApiMeta` type declares, so the SDK parses it.
 */
export const extensionRequestFields = {
  return_passages: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        "openrerank extension: add `passage: { start, end }` to each result, the character span [start, end) of the best-scoring window in the ranked text (UTF-16 code units, as JavaScript string indices). For v1 object documents the ranked text is the rank_fields serialization.",
    }),
  ),
  window_overlap: Type.Optional(
    Type.Integer({ minimum: 0, default: 0, description: "openrerank extension: tokens shared by consecutive windows of a long document (default 0, as Cohere). At most half of the document window." }),
  ),
};

export const PassageSchema = Type.Optional(
  Type.Object({ start: Type.Integer(), end: Type.Integer() }, { description: "Only with return_passages: the best window's character span [start, end) in the ranked text." }),
);

export const ResponseMetaSchema = Type.Object({
  api_version: Type.Object({ version: Type.String() }),
  billed_units: Type.Object({
    search_units: Type.Integer({ description: "One per query and 100 documents; a document over 500 tokens (query included) counts as ceil(tokens / 500) documents." }),
  }),
  tokens: Type.Optional(Type.Object({ input_tokens: Type.Integer({ description: "Tokens the model read: every window of every document with the query and special tokens, without padding." }) })),
  warnings: Type.Optional(Type.Array(Type.String(), { description: "Degraded-but-valid calls: truncated query or documents, dropped windows, top_n above the document count." })),
});

export interface ResponseMeta {
  api_version: { version: string };
  billed_units: { search_units: number };
  tokens?: { input_tokens: number };
  warnings?: string[];
}

/** The extension options of a request, in the core's terms. */
export function extensionOptions(body: { return_passages?: boolean; window_overlap?: number }): Pick<RerankCall, "returnPassages" | "windowOverlap"> {
  return { returnPassages: body.return_passages === true, windowOverlap: body.window_overlap };
}

export function responseMeta(version: "1" | "2", response: RerankResponse): ResponseMeta {
  const meta: ResponseMeta = {
    api_version: { version },
    billed_units: { search_units: response.usage.searchUnits },
    tokens: { input_tokens: response.usage.tokens },
  };
  if (response.warnings.length > 0) meta.warnings = response.warnings.map((warning) => warningMessage(warning, cohereFieldNames));
  return meta;
}

/** The `passage` field of a result when passages were asked for, else nothing. */
export function passageField(result: RerankResult): { passage?: { start: number; end: number } } {
  return result.passage ? { passage: result.passage } : {};
}
