import type { Command } from "commander";
import { isOpenRerankError } from "../errors/catalog.js";

/**
 * Parses argv and runs the chosen command. Known errors print their message (which already
 * says what to fix) and exit 1; anything else prints the stack, because it is a bug.
 */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (isOpenRerankError(error)) {
      process.stderr.write(`openrerank: ${error.message}\n`);
    } else {
      process.stderr.write(`openrerank: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}
