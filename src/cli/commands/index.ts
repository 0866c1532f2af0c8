import type { Command } from "commander";

/** Every CLI command, one file each; each module exports a `register…Command(program)` function. */
export function registerCommands(program: Command): void {
  void program;
}
