import { Type, type Static } from "@sinclair/typebox";
import { defaultRankFields, documentText } from "../../documents/document-text.js";
import { defaultMaxTokensPerDoc, type RerankResponse } from "../../reranker/types.js";
import type { RerankCall } from "./rerank-call.js";
import { extensionOptions, extensionRequestFields, PassageSchema, passageField, responseMeta, ResponseMetaSchema } from "./rerank-extensions.js";
import { DocumentSchema, ModelField, QueryField, TopNField } from "./cohere-fields.js";

export const V2RerankRequest = Type.Object({
  model: Type.Optional(ModelField),
  query: QueryField,
  documents: Type.Array(DocumentSchema, {
    description: "Texts to rank (objects whose `text` field is a string are accepted too; other fields are ignored). At most the server's max documents (default 10,000).",
  }),
  top_n: Type.Optional(TopNField),
  max_tokens_per_doc: Type.Optional(
    Type.Integer({
      minimum: 1,
      default: defaultMaxTokensPerDoc,
      description: "Tokens of each document kept (the rest is cut, with a warning). A document longer than the model window is scored in windows and ranked by its best window. Default 4096.",
    }),
  ),
  priority: Type.Optional(Type.Integer({ description: "Accepted for compatibility and ignored: requests share batches first come, first served." })),
  ...extensionRequestFields,
});

export type V2RerankRequest = Static<typeof V2RerankRequest>;

export const V2RerankResponse = Type.Object({
  id: Type.String({ description: "This request's id (also the x-request-id header)." }),
  results: Type.Array(
    Type.Object({
      index: Type.Integer({ description: "Position of the document in the request." }),
      relevance_score: Type.Number({ description: "Calibrated relevance in [0, 1]; higher is more relevant." }),
      passage: PassageSchema,
    }),
    { description: "Most relevant first." },
  ),
  meta: ResponseMetaSchema,
});

export type V2RerankResponse = Static<typeof V2RerankResponse>;

export function v2RerankCall(body: V2RerankRequest): RerankCall {
  return {
    model: body.model,
    query: body.query,
    // Cohere v2 ranks strings: an object document's text must be one (structured documents go to v1 with rank_fields).
    texts: body.documents.map((document, index) => documentText(document, defaultRankFields, index, { stringFields: true })),
    topN: body.top_n,
    maxTokensPerDoc: body.max_tokens_per_doc ?? defaultMaxTokensPerDoc,
    ...extensionOptions(body),
  };
}

export function v2RerankResponse(id: string, response: RerankResponse): V2RerankResponse {
  const results = response.results.map((result) => ({ index: result.index, relevance_score: result.relevanceScore, ...passageField(result) }));
  return { id, results, meta: responseMeta("2", response) };
}
