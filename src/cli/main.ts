#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerCommands } from "./commands/index.js";
import { runCli } from "./run-cli.js";

// package.json sits two levels up from both src/cli/main.ts and dist/cli/main.js.
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command()
  .name("openrerank")
  .description("Self-hosted, Cohere-compatible reranking: a server, a library and this CLI.")
  .version(version);

registerCommands(program);
await runCli(program, process.argv);
