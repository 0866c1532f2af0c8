import { Type, type Static } from "@sinclair/typebox";
import type { RerankerInfo } from "../../reranker/types.js";

/** Cohere's `GET /v1/models` shape, with the served aliases and how each model runs. */
export const ModelsList = Type.Object({
  models: Type.Array(
    Type.Object({
      name: Type.String({ description: "The model id (hub id or directory)." }),
      aliases: Type.Array(Type.String(), { description: "Other names requests may use for this model." }),
      endpoints: Type.Array(Type.String(), { description: 'Always ["rerank"].' }),
      default_endpoints: Type.Array(Type.String()),
      finetuned: Type.Boolean(),
      context_length: Type.Optional(Type.Integer({ description: "The model window in tokens: query + document + special tokens (absent for backends without one)." })),
      backend: Type.String({ description: "The backend registry name, e.g. cross-encoder-onnx." }),
      dtype: Type.Optional(Type.String({ description: "The weights' precision, when the backend has a choice (fp32, int8…)." })),
      test_model: Type.Boolean({ description: "A random-weight test model: its scores mean nothing." }),
    }),
  ),
});

export type ModelsList = Static<typeof ModelsList>;

/** A served model as the list shows it. */
export interface ListedModel {
  id: string;
  aliases: readonly string[];
  info: RerankerInfo;
}

export function modelsList(models: readonly ListedModel[]): ModelsList {
  return {
    models: models.map((model) => {
      const { info } = model;
      return {
        name: model.id,
        aliases: [...model.aliases],
        endpoints: ["rerank"],
        default_endpoints: ["rerank"],
        finetuned: false,
        ...(info.contextLength === undefined ? {} : { context_length: info.contextLength }),
        backend: info.backend,
        ...(info.precision === undefined ? {} : { dtype: info.precision }),
        test_model: info.isTestModel,
      };
    }),
  };
}
