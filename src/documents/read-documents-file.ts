import { readFile } from "node:fs/promises";
import { OpenRerankError } from "../errors/catalog.js";

/**
 * Reads documents for the CLI: a `.jsonl` file whose lines are JSON strings or `{ "text": … }`
 * objects, or plain text with one document per line (blank lines skipped). `-` reads stdin.
 */
export async function readDocumentsFile(file: string): Promise<string[]> {
  const content = file === "-" ? await readStdin() : await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new OpenRerankError("invalid_option", `cannot read --documents ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}.`, { field: "documents", file });
  });
  const lines = content.split(/\r?\n/);
  const isJsonl = file.endsWith(".jsonl") || file.endsWith(".ndjson") || (file === "-" && lines.find((line) => line.trim())?.trim().match(/^["{]/) !== null);
  if (!isJsonl) return lines.filter((line) => line.trim().length > 0);

  const documents: string[] = [];
  lines.forEach((line, lineIndex) => {
    if (line.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new OpenRerankError("invalid_option", `${file} line ${lineIndex + 1} is not valid JSON (${(error as Error).message}); each line must be a JSON string or an object with a "text" string.`, { file, line: lineIndex + 1 });
    }
    if (typeof value === "string") documents.push(value);
    else if (typeof value === "object" && value !== null && typeof (value as { text?: unknown }).text === "string") documents.push((value as { text: string }).text);
    else throw new OpenRerankError("invalid_option", `${file} line ${lineIndex + 1} must be a JSON string or an object with a "text" string.`, { file, line: lineIndex + 1 });
  });
  return documents;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
