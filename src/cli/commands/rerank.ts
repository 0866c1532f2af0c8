import { Command, Option } from "commander";
import { readDocumentsFile } from "../../documents/read-documents-file.js";
import { dtypes } from "../../inference/model-resolution/onnx-variants.js";
import { loadReranker } from "../../reranker/load-reranker.js";
import { positiveInteger } from "../options.js";

export function registerRerankCommand(program: Command): void {
  program
    .command("rerank")
    .description("Rerank documents for a query with a cross-encoder and print them, most relevant first.")
    .requiredOption("--model <id|dir>", "Hugging Face id (org/name) or model directory")
    .option("--models-dir <dir>", "directory of <org>/<name>/ model folders (env OPENRERANK_MODELS_DIR)")
    .requiredOption("--query <text>", "the search query")
    .option("--documents <file|->", "documents: .jsonl of strings or {\"text\"} objects, or plain text one per line; - for stdin", "-")
    .option("--top-n <n>", "print only the best N", positiveInteger)
    .addOption(new Option("--dtype <dtype>", "ONNX variant to load").choices(dtypes).default("fp32"))
    .option("--threads <n>", "ONNX Runtime intra-op threads (default: all cores)", positiveInteger)
    .option("--offline", "never touch the network (env OPENRERANK_OFFLINE=1)")
    .option("--json", "print a Cohere v2-shaped JSON response instead of a table")
    .action(async (options: { model: string; modelsDir?: string; query: string; documents: string; topN?: number; dtype: string; threads?: number; offline?: boolean; json?: boolean }) => {
      const documents = await readDocumentsFile(options.documents);
      const reranker = await loadReranker({ model: options.model, modelsDir: options.modelsDir, dtype: options.dtype, threads: options.threads, offline: options.offline });
      try {
        const { info } = reranker;
        process.stderr.write(`loaded ${info.id} from ${info.directory}/${info.weightsFile} (${info.dtype}, window ${info.maxSequenceLength} tokens) in ${info.loadMs.toFixed(0)} ms\n`);
        if (info.isRandomWeightTestModel) process.stderr.write("note: this is a random-weight test model; its scores carry no meaning.\n");
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
