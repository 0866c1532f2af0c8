import type { Command } from "commander";
import { registerEvalCommand } from "./eval.js";
import { registerMakeTestModelCommand } from "./make-test-model.js";
import { registerRerankCommand } from "./rerank.js";
import { registerServeCommand } from "./serve.js";

/** Every CLI command, one file each; each module exports a `register…Command(program)` function. */
export function registerCommands(program: Command): void {
  registerRerankCommand(program);
  registerMakeTestModelCommand(program);
  registerServeCommand(program);
  registerEvalCommand(program);
}
