import { isMainThread } from "node:worker_threads";
import { Type } from "@sinclair/typebox";
import { registerBackend } from "../../src/backends/registry.js";
import { BatchScheduler } from "../../src/inference/batching/batch-scheduler.js";
import type { RerankerBackend } from "../../src/reranker/reranker-spec.js";

/**
 * A whole backend in a registry row: it scores a document by the query words it contains,
 * through the shared batch scheduler and admission pool. Importing this module registers it;
 * `moduleUrl` lets a model worker thread import it too, so the server hosts it like a built-in.
 * The query `crash the worker` ends the worker thread it runs on, for supervision tests.
 */
registerBackend({
  name: "word-overlap",
  description: "Counts query words in each document (a test backend).",
  host: "worker",
  optionsSchema: Type.Object({ weight: Type.Optional(Type.Number({ minimum: 0 })) }, { additionalProperties: false }),
  recognizes: () => false,
  moduleUrl: import.meta.url,
  async load(options): Promise<RerankerBackend> {
    const weight = typeof options.options.weight === "number" ? options.options.weight : 1;
    const words = (text: string) => new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
    type Item = { length: number; query: Set<string>; document: Set<string> };
    const scheduler = new BatchScheduler<Item, Item[]>(
      { rowWidth: 1, prepare: (items) => [...items], execute: async (items) => Float32Array.from(items, (item) => weight * [...item.query].filter((word) => item.document.has(word)).length) },
      { maxBatchTokens: 64, maxBatchSize: 4, ...options.batchLimits },
      options.onBatch,
      options.admission,
    );
    return {
      specificationVersion: "v1",
      info: { id: options.model, backend: "word-overlap", isTestModel: true, loadMs: 0, details: { weight } },
      async doRerank(call) {
        if (call.query === crashQuery && !isMainThread) process.exit(3);
        const query = words(call.query);
        const items = call.documents.map((text) => ({ length: text.length, query, document: words(text) }));
        const rows = await scheduler.score(items, call.signal);
        const scores = items.map((_item, index) => ({ index, score: rows[index], logOdds: rows[index] }));
        return { scores, warnings: [], usage: { pairs: items.length, tokens: 0, billedDocuments: items.length } };
      },
      dispose: async () => undefined,
    };
  },
});

/** The query that makes the backend end its worker thread. */
export const crashQuery = "crash the worker";
