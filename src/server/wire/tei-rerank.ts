import { Type, type Static } from "@sinclair/typebox";
import type { RerankResponse } from "../../reranker/types.js";
import type { RerankCall } from "./rerank-call.js";
import { QueryField } from "./cohere-fields.js";
import { errorCodeKeyword } from "./schema-issue.js";

/** Hugging Face text-embeddings-inference's `POST /rerank`. */
export const TeiRerankRequest = Type.Object({
  query: QueryField,
  texts: Type.Array(Type.String({ [errorCodeKeyword]: "invalid_document" }), { description: "Texts to rank; must not be empty." }),
  raw_scores: Type.Optional(Type.Boolean({ default: false, description: "Score with the raw logit instead of the calibrated relevance in [0, 1]." })),
  return_text: Type.Optional(Type.Boolean({ default: false, description: "Return each text with its score." })),
  truncate: Type.Optional(Type.Boolean({ description: "Accepted for compatibility; inputs longer than the model window are always truncated (TEI's --auto-truncate)." })),
  truncation_direction: Type.Optional(Type.Union([Type.Literal("Right"), Type.Literal("right")], { description: "Only Right is supported: the end of a long text is cut." })),
  model: Type.Optional(Type.String({ description: "openrerank extension: model id or alias. Default: the first served model." })),
});

export type TeiRerankRequest = Static<typeof TeiRerankRequest>;

export const TeiRerankResponse = Type.Array(
  Type.Object({
    index: Type.Integer(),
    score: Type.Number({ description: "Calibrated relevance in [0, 1], or the logit with raw_scores." }),
    text: Type.Optional(Type.String()),
  }),
  { description: "Highest score first." },
);

export type TeiRerankResponse = Static<typeof TeiRerankResponse>;

export function teiRerankCall(body: TeiRerankRequest): RerankCall {
  // TEI truncates a long text to the model window: score its first window only.
  return { model: body.model, query: body.query, texts: body.texts, maxChunksPerDoc: 1, firstModelAsDefault: true };
}

export function teiRerankResponse(response: RerankResponse, body: TeiRerankRequest): TeiRerankResponse {
  const ranked = response.results.map((result) => {
    const item: TeiRerankResponse[number] = { index: result.index, score: body.raw_scores ? result.score : result.relevanceScore };
    if (body.return_text) item.text = body.texts[result.index];
    return item;
  });
  // The engine ranks by log-odds; raw logits of a two-label head need not follow the same order, and TEI sorts by the returned score.
  return body.raw_scores ? ranked.sort((a, b) => b.score - a.score || a.index - b.index) : ranked;
}
