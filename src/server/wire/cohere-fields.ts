import { Type } from "@sinclair/typebox";
import { errorCodeKeyword } from "./schema-issue.js";

// Request fields Cohere's v1 and v2 rerank share (TEI's request reuses the query).

/** A document: a string, or an object whose `text` is ranked. */
export const DocumentSchema = Type.Union(
  [
    Type.String({ description: "The document text; must not be empty." }),
    Type.Object({}, { additionalProperties: true, description: "An object; its rank fields (default `text`) are ranked." }),
  ],
  { [errorCodeKeyword]: "invalid_document" },
);

export const ModelField = Type.String({
  description: "Model id or alias (see GET /v1/models). May be left out when the server serves one model.",
  examples: ["rerank-v3.5"],
});
export const QueryField = Type.String({ description: "The search query; must not be empty or only whitespace.", examples: ["What is the capital of the United States?"] });
export const TopNField = Type.Integer({ minimum: 1, [errorCodeKeyword]: "invalid_top_n", description: "Return only the best N results. Default: all. A value above the document count returns all, with a warning." });
