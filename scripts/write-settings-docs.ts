/**
 * Writes what is generated from the settings table (src/config/settings.ts): the Configuration
 * table of docs/api.md (between its markers) and config/server.example.yaml.
 *
 *   npm run docs:settings            write both
 *   npm run docs:settings -- --check exit 1 when either is out of date
 */
import { readFileSync, writeFileSync } from "node:fs";
import { renderExampleYaml, withSettingsTable } from "../src/config/settings-docs.js";

const targets: { file: string; render: (current: string) => string }[] = [
  { file: "docs/api.md", render: withSettingsTable },
  { file: "config/server.example.yaml", render: () => renderExampleYaml() },
];

const check = process.argv.includes("--check");
let stale = 0;
for (const { file, render } of targets) {
  const current = readFileSync(file, "utf8");
  const next = render(current);
  if (next === current) continue;
  if (check) {
    process.stderr.write(`${file} is out of date with src/config/settings.ts; run npm run docs:settings\n`);
    stale += 1;
  } else {
    writeFileSync(file, next);
    process.stdout.write(`wrote ${file}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
