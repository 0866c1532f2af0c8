import type { Command } from "commander";
import { relative } from "node:path";
import { parseInteger } from "../../config/parse-values.js";
import { DEFAULT_SEED, makeTestModel, type MakeTestModelResult } from "../../testmodels/make-test-model.js";
import { PRESETS } from "../../testmodels/presets.js";

interface MakeTestModelFlags {
  preset: string;
  layers?: string;
  hidden?: string;
  heads?: string;
  intermediate?: string;
  labels?: string;
  tokenizerFrom: string;
  out: string;
  seed: string;
  int8?: boolean;
  externalData?: boolean;
  ifMissing?: boolean;
}

export function registerMakeTestModelCommand(program: Command): void {
  program
    .command("make-test-model")
    .description("Write a random-weight BERT cross-encoder with a real model's architecture and tokenizer (ONNX, transformers.js layout), for tests and benchmarks.")
    .requiredOption("--preset <name>", `architecture: ${Object.keys(PRESETS).join(" | ")}`)
    .option("--layers <n>", "override the number of layers")
    .option("--hidden <n>", "override the hidden size")
    .option("--heads <n>", "override the number of attention heads")
    .option("--intermediate <n>", "override the feed-forward size")
    .option("--labels <n>", "classifier outputs: 1 (relevance logit, default) or 2 (negative, positive)")
    .requiredOption("--tokenizer-from <dir>", "folder with the real model's config.json and tokenizer files")
    .requiredOption("--out <dir>", "output folder")
    .option("--seed <n>", "weight seed", String(DEFAULT_SEED))
    .option("--int8", "also write onnx/model_quantized.onnx (dynamic int8, as quantize_dynamic writes it)")
    .option("--external-data", "store the fp32 weights in onnx/model.onnx_data beside onnx/model.onnx, as exports over 2 GB are published")
    .option("--if-missing", "do nothing when --out already holds this preset, seed and shape")
    .action((flags: MakeTestModelFlags) => {
      const result = makeTestModel({
        preset: flags.preset,
        overrides: {
          layers: integerFlag("layers", flags.layers),
          hidden: integerFlag("hidden", flags.hidden),
          heads: integerFlag("heads", flags.heads),
          intermediate: integerFlag("intermediate", flags.intermediate),
          labels: integerFlag("labels", flags.labels),
        },
        tokenizerFrom: flags.tokenizerFrom,
        out: flags.out,
        seed: integerFlag("seed", flags.seed),
        int8: flags.int8 === true,
        externalData: flags.externalData === true,
        ifMissing: flags.ifMissing === true,
      });
      process.stdout.write(report(flags.preset, result));
    });
}

/** Parses a whole-number flag; range checks happen where the value is used (they name the allowed range). */
function integerFlag(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseInteger(value, `--${flag}`);
}

function report(preset: string, result: MakeTestModelResult): string {
  const { shape } = result;
  const what = `${preset} (layers ${shape.layers}, hidden ${shape.hidden}, heads ${shape.heads}, intermediate ${shape.intermediate}, seed ${result.seed})`;
  const lines = [
    result.skipped
      ? `skipped ${what}: ${result.outDir} already has it (--if-missing)`
      : `wrote ${what} to ${result.outDir} in ${result.seconds.toFixed(2)} s`,
    ...result.files.map((file) => `  ${formatBytes(file.bytes).padStart(10)}  ${relative(result.outDir, file.path)}`),
    ...result.removed.map((path) => `  removed stale ${relative(result.outDir, path)}`),
  ];
  return `${lines.join("\n")}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
