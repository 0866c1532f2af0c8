import { Type, type Static } from "@sinclair/typebox";
import type { ServedModel } from "../model-registry.js";

/** Cohere's `GET /v1/models` shape, with the served aliases and how each model runs. */
export const ModelsList = Type.Object({
  models: Type.Array(
    Type.Object({
      name: Type.String({ description: "The model id (hub id or directory)." }),
      aliases: Type.Array(Type.String(), { description: "Other names requests may use for this model." }),
      endpoints: Type.Array(Type.String(), { description: 'Always ["rerank"].' }),
      default_endpoints: Type.Array(Type.String()),
      finetuned: Type.Boolean(),
      context_length: Type.Integer({ description: "The model window in tokens: query + document + special tokens." }),
      backend: Type.String(),
      dtype: Type.String(),
      test_model: Type.Boolean({ description: "A random-weight test model: its scores mean nothing." }),
    }),
  ),
});

export type ModelsList = Static<typeof ModelsList>;

export function modelsList(models: readonly ServedModel[]): ModelsList {
  return {
    models: models.map((model) => {
      const info = model.reranker.info as typeof model.reranker.info & { isRandomWeightTestModel?: boolean };
      return {
        name: model.id,
        aliases: [...model.aliases],
        endpoints: ["rerank"],
        default_endpoints: ["rerank"],
        finetuned: false,
        context_length: info.maxSequenceLength,
        backend: info.backend,
        dtype: info.dtype,
        test_model: info.isRandomWeightTestModel === true,
      };
    }),
  };
}
