import { createReranker } from "../../src/reranker/rerank.js";
import type { BackendRerankCall, BackendRerankResult, RerankerBackend } from "../../src/reranker/reranker-spec.js";
import type { Reranker, RerankerInfo } from "../../src/reranker/types.js";

export type ScoreFunction = (query: string, document: string, index: number) => number;

/**
 * The one fake backend of the test suite: a `RerankerBackend` whose scores come from a plain
 * function (or whose calls fail as a test needs), so pipeline, server and contract tests run
 * without a model. It goes through the same `rerank()` contract as the real backends.
 */
export class ScriptedBackend implements RerankerBackend {
  readonly specificationVersion = "v1";
  readonly info: RerankerInfo;
  readonly calls: BackendRerankCall[] = [];
  disposed = false;

  constructor(
    private readonly score: ScoreFunction,
    options: { id?: string; isTestModel?: boolean; fail?: () => Error } = {},
  ) {
    this.info = { id: options.id ?? "test/scripted", backend: "scripted", contextLength: 512, isTestModel: options.isTestModel ?? false, loadMs: 0, details: {} };
    this.fail = options.fail;
  }

  private readonly fail: (() => Error) | undefined;

  async doRerank(call: BackendRerankCall): Promise<BackendRerankResult> {
    this.calls.push(call);
    if (this.fail) throw this.fail();
    const scores = call.documents.map((document, index) => {
      const score = this.score(call.query, document, index);
      return { index, score, logOdds: score };
    });
    return { scores, warnings: [], usage: { pairs: call.documents.length, tokens: 10 * call.documents.length, billedDocuments: call.documents.length } };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/** A `Reranker` over a `ScriptedBackend`, with the backend at hand to inspect its calls. */
export function scriptedReranker(score: ScoreFunction, options: ConstructorParameters<typeof ScriptedBackend>[1] = {}): Reranker & { backend: ScriptedBackend } {
  const backend = new ScriptedBackend(score, options);
  return Object.assign(createReranker(backend), { backend });
}

/** Counts query words (3+ letters) that occur in the document: a crude but sensible relevance score. */
export function wordOverlap(query: string, document: string): number {
  const words = new Set(query.toLowerCase().match(/[a-z]{3,}/g) ?? []);
  const text = document.toLowerCase();
  let count = 0;
  for (const word of words) if (text.includes(word)) count++;
  return count;
}
