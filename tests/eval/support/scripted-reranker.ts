import type { Reranker, RerankerInfo, RerankResponse } from "../../../src/reranker/types.js";

/** A Reranker whose scores come from a plain function, for pipeline tests without a model. */
export class ScriptedReranker implements Reranker {
  readonly info: RerankerInfo & { isRandomWeightTestModel: boolean };
  readonly calls: { query: string; documents: readonly string[] }[] = [];
  disposed = false;

  constructor(
    private readonly score: (query: string, document: string, index: number) => number,
    options: { id?: string; randomWeightTestModel?: boolean } = {},
  ) {
    this.info = {
      id: options.id ?? "test/scripted",
      backend: "scripted",
      directory: "/nonexistent",
      weightsFile: "none",
      dtype: "fp32",
      maxSequenceLength: 512,
      loadMs: 0,
      isRandomWeightTestModel: options.randomWeightTestModel ?? false,
    };
  }

  async rerank(query: string, documents: readonly string[]): Promise<RerankResponse> {
    this.calls.push({ query, documents });
    const results = documents
      .map((document, index) => {
        const score = this.score(query, document, index);
        return { index, score, relevanceScore: 1 / (1 + Math.exp(-score)) };
      })
      .sort((a, b) => b.score - a.score || a.index - b.index);
    return { results, warnings: [], usage: { pairs: documents.length, tokens: 10 * documents.length, searchUnits: 1 } };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** Counts query words (3+ letters) that occur in the document: a crude but sensible relevance score. */
export function wordOverlap(query: string, document: string): number {
  const words = new Set(query.toLowerCase().match(/[a-z]{3,}/g) ?? []);
  const text = document.toLowerCase();
  let count = 0;
  for (const word of words) if (text.includes(word)) count++;
  return count;
}
