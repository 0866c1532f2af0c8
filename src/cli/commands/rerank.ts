import { Command } from "commander";
import { loadReranker } from "../../backends/load-reranker.js";
import { readDocumentsFile } from "../../documents/read-documents-file.js";
import type { RerankerInfo } from "../../reranker/types.js";
import { randomWeightNotice } from "../../reranker/test-model-notice.js";
import { addModelOptions, modelLoadOptions, modelOption } from "../model-options.js";
import { integerOption } from "../options.js";

export function registerRerankCommand(program: Command): void {
  const command = program
    .command("rerank")
    .description("Rerank documents for a query and print them, most relevant first.")
    .addOption(modelOption())
    .requiredOption("--query <text>", "the search query")
    .option("--documents <file|->", "documents: .jsonl of strings or {\"text\"} objects, or plain text one per line; - for stdin", "-")
    .addOption(integerOption("--top-n <n>", "print only the best N", { min: 1 }))
    .option("--json", "print a Cohere v2-shaped JSON response instead of a table");
  addModelOptions(command).action(async (options: { model: string; query: string; documents: string; topN?: number; json?: boolean }) => {
    const loadOptions = modelLoadOptions(command); // settings errors first, before stdin is read
    const documents = await readDocumentsFile(options.documents);
    const reranker = await loadReranker({ model: options.model, ...loadOptions });
    try {
      const { info } = reranker;
      process.stderr.write(`${describeLoaded(info)}\n`);
      if (info.isTestModel) process.stderr.write(`note: this is a ${randomWeightNotice}.\n`);
      const response = await reranker.rerank(options.query, documents, { topN: options.topN });
      for (const warning of response.warnings) process.stderr.write(`warning: ${warning.message}\n`);
      if (options.json) {
        const results = response.results.map((result) => ({ index: result.index, relevance_score: result.relevanceScore, score: result.score }));
        process.stdout.write(`${JSON.stringify({ results, meta: { warnings: response.warnings.map((warning) => warning.message), tokens: response.usage.tokens } }, null, 2)}\n`);
        return;
      }
      const rows = response.results.map((result, rank) => ({
        rank: rank + 1,
        index: result.index,
        relevance: result.relevanceScore.toFixed(4),
        score: result.score.toFixed(4),
        document: documents[result.index].length > 70 ? `${documents[result.index].slice(0, 67)}...` : documents[result.index],
      }));
      console.table(rows);
    } finally {
      await reranker.dispose();
    }
  });
}

/** "loaded org/name from dir/onnx/model.onnx (cross-encoder-onnx, fp32, window 512 tokens) in 120 ms". */
function describeLoaded(info: RerankerInfo): string {
  const { directory, weightsFile } = info.details;
  const from = typeof directory === "string" ? ` from ${directory}${typeof weightsFile === "string" ? `/${weightsFile}` : ""}` : "";
  const facts = [info.backend, info.precision, info.contextLength === undefined ? undefined : `window ${info.contextLength} tokens`].filter((fact) => fact !== undefined);
  return `loaded ${info.id}${from} (${facts.join(", ")}) in ${info.loadMs.toFixed(0)} ms`;
}
