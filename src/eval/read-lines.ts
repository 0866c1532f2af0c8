import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { OpenRerankError } from "../errors/catalog.js";

/** Streams a UTF-8 text file line by line (1-based line numbers), without loading it whole. */
export async function* readLines(path: string, onBytes?: (chunk: Buffer) => void): AsyncGenerator<{ line: string; lineNumber: number }> {
  await assertReadableFile(path);
  const stream = createReadStream(path);
  if (onBytes) stream.on("data", (chunk) => onBytes(chunk as Buffer));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      // A UTF-8 byte order mark would otherwise become part of the first field.
      yield { line: lineNumber === 1 ? line.replace(/^\uFEFF/, "") : line, lineNumber };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Like {@link readLines}, and also returns the SHA-256 of the file's bytes once read to the end. */
export function readLinesWithDigest(path: string): { lines: AsyncGenerator<{ line: string; lineNumber: number }>; digest: () => string } {
  const hash = createHash("sha256");
  return { lines: readLines(path, (chunk) => hash.update(chunk)), digest: () => hash.digest("hex") };
}

/** Throws a clear error when `path` is missing or is not a regular file. */
export async function assertReadableFile(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    throw new OpenRerankError("invalid_option", `File not found: ${path}. Check the path (and, for a dataset, the directory layout).`, { path });
  }
  if (!isFile) throw new OpenRerankError("invalid_option", `${path} is not a regular file.`, { path });
}
