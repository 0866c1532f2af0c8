import { Type, type Static } from "@sinclair/typebox";
import { defaultRankFields, documentText } from "../../documents/document-text.js";
import { OpenRerankError } from "../../errors/catalog.js";
import type { RerankResponse } from "../../reranker/types.js";
import type { RerankCall } from "./rerank-call.js";
import { DocumentSchema, ModelField, QueryField, TopNField } from "./cohere-fields.js";
import { extensionOptions, extensionRequestFields, PassageSchema, responseMeta, ResponseMetaSchema } from "./rerank-extensions.js";
import { arrayElementSpans } from "./raw-json-spans.js";
import { errorCodeKeyword } from "./schema-issue.js";

/** Cohere's v1 default for `max_chunks_per_doc`. */
export const defaultMaxChunksPerDoc = 10;
/** Cohere's limit: documents × max_chunks_per_doc must stay below this. */
export const maxTotalChunks = 10_000;

export const V1RerankRequest = Type.Object({
  model: Type.Optional(ModelField),
  query: QueryField,
  documents: Type.Array(DocumentSchema, {
    description: "Strings, or objects whose rank_fields are ranked; with return_documents an object comes back exactly as sent.",
  }),
  top_n: Type.Optional(TopNField),
  rank_fields: Type.Optional(
    Type.Array(Type.String({ minLength: 1, [errorCodeKeyword]: "invalid_rank_fields" }), {
      minItems: 1,
      [errorCodeKeyword]: "invalid_rank_fields",
      description: 'Object fields to rank, in order. Default ["text"]. Several fields are ranked as "key: value" lines.',
    }),
  ),
  return_documents: Type.Optional(Type.Boolean({ default: false, description: "Return each document with its result (strings as { text })." })),
  max_chunks_per_doc: Type.Optional(
    Type.Integer({
      minimum: 1,
      default: defaultMaxChunksPerDoc,
      description: "A document longer than the model window is scored in windows (chunks) and ranked by its best one; at most this many windows per document, later ones are dropped with a warning. Default 10; documents × max_chunks_per_doc must stay below 10,000.",
    }),
  ),
  ...extensionRequestFields,
});

export type V1RerankRequest = Static<typeof V1RerankRequest>;

export const V1RerankResponse = Type.Object({
  id: Type.String({ description: "This request's id (also the x-request-id header)." }),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      relevance_score: Type.Number({ description: "Calibrated relevance in [0, 1]." }),
      document: Type.Optional(Type.Object({}, { additionalProperties: true, description: "Only with return_documents: the document as sent; a string comes back as { text }." })),
      passage: PassageSchema,
    }),
    { description: "Most relevant first." },
  ),
  meta: ResponseMetaSchema,
});

export type V1RerankResponse = Static<typeof V1RerankResponse>;

/** Cohere's chunk budget check, with Cohere's wording. */
export function assertChunkBudget(documents: number, maxChunksPerDoc: number): void {
  if (documents * maxChunksPerDoc >= maxTotalChunks) {
    throw new OpenRerankError(
      "too_many_chunks",
      `number of total max chunks (number of documents * max chunks per doc) must be less than ${maxTotalChunks}; got ${documents} * ${maxChunksPerDoc} = ${documents * maxChunksPerDoc}. Send fewer documents or lower max_chunks_per_doc.`,
      { field: "max_chunks_per_doc", documents, maxChunksPerDoc, limit: maxTotalChunks },
    );
  }
}

export function v1RerankCall(body: V1RerankRequest): RerankCall {
  const rankFields = body.rank_fields ?? defaultRankFields;
  return {
    model: body.model,
    query: body.query,
    texts: body.documents.map((document, index) => documentText(document, rankFields, index)),
    topN: body.top_n,
    maxChunksPerDoc: body.max_chunks_per_doc ?? defaultMaxChunksPerDoc,
    ...extensionOptions(body),
  };
}

/**
 * Serializes a v1 response. With `return_documents`, object documents are spliced in as the
 * exact bytes the client sent (from the raw body), so unranked fields, number formats and
 * big integers come back unchanged; strings come back as `{ "text": … }`. The document key
 * is left out otherwise, never `null`.
 */
export function v1RerankResponseJson(id: string, response: RerankResponse, body: V1RerankRequest, rawBody: string | undefined): string {
  const documents = body.return_documents ? documentJson(body.documents, rawBody) : undefined;
  const results = response.results.map((result) => {
    const passage = result.passage ? `,"passage":${JSON.stringify(result.passage)}` : "";
    const head = `{"index":${result.index},"relevance_score":${JSON.stringify(result.relevanceScore)}${passage}`;
    return documents === undefined ? `${head}}` : `${head},"document":${documents(result.index)}}`;
  });
  const meta = responseMeta("1", response);
  return `{"id":${JSON.stringify(id)},"results":[${results.join(",")}],"meta":${JSON.stringify(meta)}}`;
}

function documentJson(documents: readonly unknown[], rawBody: string | undefined): (index: number) => string {
  const spans = rawBody === undefined ? undefined : arrayElementSpans(rawBody, "documents");
  const exact = spans !== undefined && spans.length === documents.length && rawBody !== undefined;
  return (index) => {
    const document = documents[index];
    if (typeof document === "string") return JSON.stringify({ text: document });
    return exact ? rawBody.slice(spans[index].start, spans[index].end) : JSON.stringify(document);
  };
}
