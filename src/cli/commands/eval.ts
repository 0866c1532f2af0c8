import { writeFile } from "node:fs/promises";
import cliProgress from "cli-progress";
import { Command, Option } from "commander";
import { loadReranker } from "../../backends/load-reranker.js";
import { OpenRerankError } from "../../errors/catalog.js";
import { renderHtmlReport } from "../../eval/report/html-report.js";
import { formatSummary } from "../../eval/report/format-summary.js";
import { runEvaluation } from "../../eval/run-evaluation.js";
import type { EvaluationStage, FirstStageOptions, StageProgress } from "../../eval/run-evaluation.js";
import { writeTrecRun } from "../../eval/trec-run.js";
import { addModelOptions, modelLoadOptions } from "../model-options.js";
import { integerOption, numberOption } from "../options.js";

interface EvalCommandOptions {
  dataset: string;
  split: string;
  firstStage: string;
  run?: string;
  topK: number;
  rerank?: string;
  bm25Index?: string;
  k1?: number;
  b?: number;
  json?: string;
  report?: string;
  saveRun?: string;
}

export function registerEvalCommand(program: Command): void {
  const command = program
    .command("eval")
    .description("Measure whether reranking helps on a BEIR-format dataset: first stage (BM25 or your run file) vs reranked, with trec_eval metrics.")
    .requiredOption("--dataset <dir>", "BEIR dataset directory: corpus.jsonl, queries.jsonl, qrels/<split>.tsv")
    .option("--split <name>", "qrels split to evaluate", "test")
    .addOption(new Option("--first-stage <name>", "candidate retriever (ignored with --run)").choices(["bm25"]).default("bm25"))
    .option("--run <file.trec>", "take candidates from a TREC run file (qid Q0 docid rank score tag) instead of BM25")
    .addOption(integerOption("--top-k <n>", "candidates per query taken from the first stage and reranked", { min: 1 }).default(100))
    .option("--bm25-index <file>", "reuse the BM25 index saved in this file (built and saved there when missing or built from another corpus)")
    .addOption(numberOption("--k1 <x>", "BM25 k1 (term-frequency saturation; default 0.9 as Anserini)", { min: 0 }))
    .addOption(numberOption("--b <x>", "BM25 b (length normalization in [0, 1]; default 0.4 as Anserini)", { min: 0 }))
    .option("--json <out.json>", "write every number (means, per query, timings) as JSON")
    .option("--report <out.html>", "write a self-contained HTML report with charts")
    .option("--save-run <out.trec>", "write the final run (reranked if --rerank, else the first stage) in TREC format")
    .option("--rerank <model>", "rerank the candidates with this model (Hugging Face id or directory); the flags below say how it is loaded");
  addModelOptions(command).action(async (options: EvalCommandOptions) => {
    const firstStage = resolveFirstStage(options, command);
    const { rerank } = options;
    const loadOptions = rerank ? modelLoadOptions(command) : undefined; // settings errors before any work
    const outcome = await runEvaluation({
      datasetDirectory: options.dataset,
      split: options.split,
      firstStage,
      topK: options.topK,
      loadReranker: rerank ? () => loadReranker({ model: rerank, ...loadOptions }) : undefined,
      progress: process.stderr.isTTY ? createProgressBars() : undefined,
    });
    const { report } = outcome;
    process.stdout.write(formatSummary(report));

    if (options.json) {
      await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
      process.stderr.write(`wrote ${options.json}\n`);
    }
    if (options.report) {
      await writeFile(options.report, await renderHtmlReport(report));
      process.stderr.write(`wrote ${options.report}\n`);
    }
    if (options.saveRun) {
      const finalRun = outcome.rerankedRun ?? outcome.firstStageRun;
      const tag = outcome.rerankedRun ? "openrerank-reranked" : firstStage.kind === "bm25" ? "openrerank-bm25" : "openrerank-first-stage";
      await writeTrecRun(options.saveRun, finalRun, tag);
      process.stderr.write(`wrote ${options.saveRun}\n`);
    }
  });
}

function resolveFirstStage(options: EvalCommandOptions, command: Command): FirstStageOptions {
  if (options.run) {
    if (command.getOptionValueSource("firstStage") === "cli") {
      throw new OpenRerankError("invalid_option", "--run and --first-stage both choose the candidates; pass one of them.", {});
    }
    for (const flag of ["bm25Index", "k1", "b"] as const) {
      if (options[flag] !== undefined) {
        throw new OpenRerankError("invalid_option", `--${flag === "bm25Index" ? "bm25-index" : flag} applies to the BM25 first stage, not to --run; drop it.`, {});
      }
    }
    return { kind: "run", path: options.run };
  }
  const parameters = { ...(options.k1 !== undefined ? { k1: options.k1 } : {}), ...(options.b !== undefined ? { b: options.b } : {}) };
  return { kind: "bm25", indexPath: options.bm25Index, parameters };
}

/** One cli-progress bar per stage on stderr (only used when stderr is a terminal). */
function createProgressBars(): StageProgress {
  let bar: cliProgress.SingleBar | undefined;
  const labels: Record<EvaluationStage, string> = { indexing: "indexing documents", retrieval: "retrieving", reranking: "reranking" };
  return {
    start(stage, total) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: `${labels[stage].padEnd(18)} [{bar}] {value}/{total} {duration_formatted}`, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
