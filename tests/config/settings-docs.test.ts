import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { registerEvalCommand } from "../../src/cli/commands/eval.js";
import { registerRerankCommand } from "../../src/cli/commands/rerank.js";
import { registerServeCommand } from "../../src/cli/commands/serve.js";
import { loadServerConfig } from "../../src/config/load-settings.js";
import { renderExampleYaml, renderSettingsTable, settingHelp, settingsTableIn } from "../../src/config/settings-docs.js";
import { configFileSetting, defaultText, flagUsage, ServerSettingsSchema, settingRows } from "../../src/config/settings.js";

// Everything derived from the settings table stays in step with it: regenerate with `npm run docs:settings`.
const regenerate = "out of date with src/config/settings.ts; run npm run docs:settings";

/** A command's full `--help` output (including text added after the options), whitespace collapsed. */
function helpOf(register: (program: Command) => void, name: string): string {
  const program = new Command();
  register(program);
  const command = program.commands.find((candidate) => candidate.name() === name) as Command;
  let out = "";
  command.configureOutput({ writeOut: (text) => (out += text) });
  command.outputHelp();
  return out.replace(/\s+/g, " ");
}

describe("the settings table", () => {
  it("is the config-file schema", () => {
    assert.deepEqual(Object.keys(ServerSettingsSchema.properties), settingRows.map((row) => row.key));
    for (const row of settingRows) {
      const description = (ServerSettingsSchema.properties as Record<string, { description?: string }>)[row.key].description ?? "";
      assert.ok(description.includes(`Default: ${defaultText(row)}.`), `${row.key}: ${description}`);
    }
  });

  it("names every setting's variable and flag consistently", () => {
    for (const row of settingRows) {
      assert.ok(row.env !== undefined, `${row.key} has an environment variable`);
      assert.match(row.env, /^(OPENRERANK|HF)_[A-Z_]+$/, row.key);
      if (row.flag) assert.match(row.flag.name, /^--[a-z][a-z-]*$/, row.key);
      if (row.flag?.kind === "list" || Array.isArray(row.default)) assert.ok(row.parseItem, `${row.key}: a list row parses single flag values`);
      assert.ok(row.default === undefined || row.computeDefault === undefined, `${row.key}: one kind of default`);
      if (row.secret) assert.ok(row.example === undefined, `${row.key}: a secret has no example value to leak into docs`);
    }
  });
});

describe("generated from the table", () => {
  it("the Configuration table of docs/api.md", () => {
    const table = settingsTableIn(readFileSync("docs/api.md", "utf8"));
    assert.ok(table !== undefined, "docs/api.md keeps its settings-table markers");
    assert.equal(table, renderSettingsTable(), `docs/api.md is ${regenerate}`);
    for (const row of settingRows) assert.ok(table.includes(`\`${row.key}\``), row.key);
  });

  it("config/server.example.yaml, which spells out the defaults", () => {
    const text = readFileSync("config/server.example.yaml", "utf8");
    assert.equal(text, renderExampleYaml(), `config/server.example.yaml is ${regenerate}`);
    const written = Object.keys(parseYaml(text) as object);
    for (const row of settingRows) {
      if (row.default !== undefined) assert.ok(written.includes(row.key), `${row.key} is written with its default`);
      else assert.ok(text.includes(`# ${row.key}: `), `${row.key} is shown commented out`);
    }
    assert.deepEqual(loadServerConfig({ config: "config/server.example.yaml" }, {}), loadServerConfig({}, {}));
  });

  it("`serve --help`: every flag with its default and environment variable, secrets without a value", () => {
    const help = helpOf(registerServeCommand, "serve");
    assert.ok(help.includes(flagUsage(configFileSetting.flag)) && help.includes(configFileSetting.env));
    for (const row of settingRows) {
      if (row.flag === undefined) {
        assert.ok(help.includes(`${[row.env, ...(row.envFallbacks ?? [])].join(" or ")}: ${row.doc}`), `${row.key}: an environment-only setting is listed after the flags`);
        continue;
      }
      assert.ok(help.includes(`${flagUsage(row.flag)} ${settingHelp(row)}`), `${row.key}: ${settingHelp(row)}`);
      assert.ok(help.includes(`(env ${row.env}`), row.key);
      if (row.secret) assert.ok(!settingHelp(row).includes("default"), `${row.key} prints no default`);
      else assert.ok(help.includes(`default ${defaultText(row)}`), row.key);
    }
  });

  it("serve.ts and the model options hold no literal defaults or variable names", () => {
    for (const file of ["src/cli/commands/serve.ts", "src/cli/model-options.ts", "src/cli/setting-flags.ts"]) {
      const source = readFileSync(file, "utf8");
      assert.doesNotMatch(source, /default \d|OPENRERANK_|HF_[A-Z]/, file);
    }
  });

  it("rerank and eval share serve's model flags, word for word", () => {
    const serve = helpOf(registerServeCommand, "serve");
    const modelRows = settingRows.filter((row) => row.scope === "model" && row.flag !== undefined);
    assert.deepEqual(modelRows.map((row) => row.flag?.name), ["--models-dir", "--cache-dir", "--offline", "--revision", "--dtype", "--threads"]);
    for (const [register, name] of [[registerRerankCommand, "rerank"], [registerEvalCommand, "eval"]] as const) {
      const help = helpOf(register, name);
      for (const row of modelRows) {
        const line = `${flagUsage(row.flag as NonNullable<typeof row.flag>)} ${settingHelp(row)}`;
        assert.ok(help.includes(line) && serve.includes(line), `${name}: ${line}`);
      }
      assert.ok(help.includes("HF_TOKEN or HUGGING_FACE_HUB_TOKEN:") && help.includes("HF_ENDPOINT:"), name);
    }
  });
});

describe("serve --print-config", () => {
  it("prints the resolved configuration with secrets redacted", async () => {
    const program = new Command().exitOverride();
    registerServeCommand(program);
    let out = "";
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(["serve", "--print-config", "--api-key", "very-secret-key", "--port", "9123", "--revision", "v1"], { from: "user" });
    } finally {
      process.stdout.write = write;
    }
    const printed = parseYaml(out) as { port: number; apiKeys: string[]; modelSource: { hub: { revision: string } } };
    assert.equal(printed.port, 9123);
    assert.equal(printed.modelSource.hub.revision, "v1");
    assert.deepEqual(printed.apiKeys, ["<redacted>"]);
    assert.ok(!out.includes("very-secret-key"));
  });
});
