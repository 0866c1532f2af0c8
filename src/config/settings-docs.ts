import { stringify as stringifyYaml } from "yaml";
import { configFileSetting, defaultText, flagUsage, settingRows, type SettingRow } from "./settings.js";

/**
 * Text derived from the settings table: `--help` lines, the Configuration table of
 * docs/api.md and config/server.example.yaml. `npm run docs:settings` writes the two files;
 * tests/config/settings-docs.test.ts fails when they drift from the table.
 */

/** The `--help` description of a setting's flag: what it does, its default (never a secret's) and its variable. */
export function settingHelp(row: SettingRow): string {
  const repeatable = row.flag?.kind === "list" ? ", repeatable" : "";
  const fallback = row.flag?.kind === "negated-switch" ? "; this flag turns it off" : "";
  const byDefault = row.secret ? "secret, never printed" : `default ${defaultText(row)}${fallback}`;
  return `${row.doc}${repeatable}; ${byDefault}${envNote(row)}`;
}

/** The help section for settings that only the environment sets (the hub endpoint and token). */
export function environmentOnlyHelp(rows: readonly SettingRow[]): string {
  const lines = rows.filter((row) => row.flag === undefined && row.env !== undefined).map((row) => `  ${[row.env, ...(row.envFallbacks ?? [])].join(" or ")}: ${row.doc}; ${row.secret ? "secret, never printed" : `default ${defaultText(row)}`}`);
  return lines.length === 0 ? "" : `\nAlso read from the environment:\n${lines.join("\n")}\n`;
}

function envNote(row: SettingRow): string {
  if (row.env === undefined) return "";
  const fallbacks = (row.envFallbacks ?? []).map((name) => ` or ${name}`).join("");
  return ` (env ${row.env}${fallbacks}${row.envFormat ? `, ${row.envFormat}` : ""})`;
}

export const tableBegin = "<!-- settings-table:begin: generated from src/config/settings.ts by `npm run docs:settings`; edit the table there -->";
export const tableEnd = "<!-- settings-table:end -->";

/** The Markdown table of every setting, for docs/api.md's Configuration section. */
export function renderSettingsTable(): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  // Outside code spans, Markdown would read <org> as an HTML tag.
  const prose = (text: string) => text.replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  const code = (text: string) => `\`${text}\``;
  const rows = [
    ["flag", "environment", "file key", "default", "meaning"],
    ["---", "---", "---", "---", "---"],
    [code(flagUsage(configFileSetting.flag)), code(configFileSetting.env), "", "", prose(configFileSetting.doc)],
    ...settingRows.map((row) => [
      row.flag === undefined ? "" : `${code(flagUsage(row.flag))}${row.flag.kind === "list" ? " (repeatable)" : ""}`,
      row.env === undefined
        ? ""
        : [code(row.env), ...(row.envFallbacks ?? []).map((name) => `or ${code(name)}`), ...(row.envFormat ? [`(${row.envFormat})`] : [])].join(" "),
      code(row.key),
      row.default !== undefined && row.defaultText === undefined && !row.secret ? code(defaultText(row)) : prose(defaultText(row)),
      prose(`${row.doc}${row.secret ? "; secret, never printed" : ""}`),
    ]),
  ];
  return `${rows.map((columns) => `| ${columns.map(cell).join(" | ")} |`).join("\n")}\n`;
}

/** Replaces the generated table between its markers in a Markdown document. */
export function withSettingsTable(markdown: string): string {
  const begin = markdown.indexOf(tableBegin);
  const end = markdown.indexOf(tableEnd);
  if (begin < 0 || end < begin) throw new Error(`the document has no ${tableBegin} … ${tableEnd} section`);
  return `${markdown.slice(0, begin)}${tableBegin}\n${renderSettingsTable()}${markdown.slice(end)}`;
}

/** The generated table as it stands in a Markdown document, or undefined without markers. */
export function settingsTableIn(markdown: string): string | undefined {
  const begin = markdown.indexOf(tableBegin);
  const end = markdown.indexOf(tableEnd);
  return begin < 0 || end < begin ? undefined : markdown.slice(begin + tableBegin.length + 1, end);
}

/** config/server.example.yaml: every setting with its default; settings without one commented out with an example. */
export function renderExampleYaml(): string {
  const header = [
    "# Every openrerank server setting with its default. Precedence: defaults < this file",
    `# (${configFileSetting.flag.name} or ${configFileSetting.env}) < environment variables < command-line flags.`,
    "# The same file may be written as JSON.",
    "#",
    "# Generated from src/config/settings.ts by `npm run docs:settings`; edit the table there.",
  ];
  const blocks = settingRows.map((row) => {
    const where = [row.env && `env ${[row.env, ...(row.envFallbacks ?? [])].join(" or ")}`, row.flag && `flag ${row.flag.name}`].filter(Boolean).join(", ");
    const comment = [`# ${row.doc.charAt(0).toUpperCase()}${row.doc.slice(1)}${row.secret ? " (secret)" : ""}.`, `# ${where}; default ${defaultText(row)}.`];
    // A secret's example is never written, only its (empty) default.
    const value = row.secret ? row.default : (row.example ?? row.default);
    const written = value === undefined ? `${row.key}: ...\n` : stringifyYaml({ [row.key]: value });
    const active = row.default !== undefined;
    const lines = written.trimEnd().split("\n").map((line) => (active ? line : `# ${line}`));
    return [...comment, ...lines].join("\n");
  });
  return `${header.join("\n")}\n\n${blocks.join("\n\n")}\n`;
}
