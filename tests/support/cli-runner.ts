import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The built CLI (npm test and test:e2e build first). */
export const cli = path.resolve("dist/cli/main.js");

/** Runs the built CLI the way a user does, offline; resolves with its output even when it exits non-zero. */
export async function openrerank(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [cli, ...args], { env: { ...process.env, OPENRERANK_OFFLINE: "1" } });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
