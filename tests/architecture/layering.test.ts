import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

/**
 * The layering the architecture depends on, checked on the import graph of src/: the reranker
 * contract is a leaf, the server sees backends only through the registry and loader, and only
 * config/ reads the environment. A new backend or route that breaks a rule fails here, not in
 * review.
 */
const srcRoot = path.resolve("src");

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

interface SourceFile {
  /** Path relative to src/, with forward slashes. */
  file: string;
  text: string;
  /** Imported modules inside src/, relative to src/. */
  imports: string[];
}

const files: SourceFile[] = sourceFiles(srcRoot).map((full) => {
  const text = readFileSync(full, "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g)].map((match) => match[1] ?? match[2]);
  const imports = specifiers.filter((specifier) => specifier.startsWith(".")).map((specifier) => path.relative(srcRoot, path.resolve(path.dirname(full), specifier)).split(path.sep).join("/"));
  return { file: path.relative(srcRoot, full).split(path.sep).join("/"), text, imports };
});

/** Every import from a file under `from` that lands where `forbidden` says, as "file -> import". */
function violations(from: string, forbidden: (target: string) => boolean): string[] {
  return files.filter((source) => source.file.startsWith(from)).flatMap((source) => source.imports.filter(forbidden).map((target) => `${source.file} -> ${target}`));
}

describe("layering (import rules on src/)", () => {
  it("sees the source tree", () => {
    assert.ok(files.length > 80, `found ${files.length} files`);
    assert.ok(files.some((source) => source.imports.length > 0));
  });

  it("the reranker contract imports only errors/ and documents/: no backend, server, CLI, config or engine", () => {
    assert.deepEqual(violations("reranker/", (target) => !/^(reranker|errors|documents)\//.test(target)), []);
  });

  it("the server sees backends only through the registry and loader, never a backend's own folder", () => {
    assert.deepEqual(violations("server/", (target) => /^backends\/[^/]+\//.test(target)), []);
  });

  it("wire formats are leaves: server/wire/ imports nothing else from the server", () => {
    assert.deepEqual(violations("server/wire/", (target) => target.startsWith("server/") && !target.startsWith("server/wire/")), []);
  });

  it("the engine (inference/) knows nothing of backends, the server, the CLI or config", () => {
    assert.deepEqual(violations("inference/", (target) => /^(backends|server|cli|config|reranker)\//.test(target)), []);
  });

  it("backends know nothing of the server, the CLI or config", () => {
    assert.deepEqual(violations("backends/", (target) => /^(server|cli|config)\//.test(target)), []);
  });

  it("nothing outside config/ reads process.env", () => {
    const readers = files.filter((source) => !source.file.startsWith("config/") && /process\.env\b/.test(source.text)).map((source) => source.file);
    assert.deepEqual(readers, []);
  });
});
