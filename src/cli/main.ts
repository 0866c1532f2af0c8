#!/usr/bin/env node
import { Command } from "commander";
import { registerCommands } from "./commands/index.js";
import { runCli } from "./run-cli.js";

const program = new Command()
  .name("openrerank")
  .description("Self-hosted, Cohere-compatible reranking: a server, a library and this CLI.")
  .version("0.1.0");

registerCommands(program);
await runCli(program, process.argv);
