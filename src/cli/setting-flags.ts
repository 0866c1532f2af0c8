import { Option, type Command } from "commander";
import { settingHelp } from "../config/settings-docs.js";
import { configFileSetting, flagAttribute, flagUsage, type ServerFlags, type SettingRow } from "../config/settings.js";

/** A commander option generated from a settings-table row: its flag, help text (default and env from the table) and list collection. */
export function settingOption(row: SettingRow): Option {
  if (row.flag === undefined) throw new Error("settingOption: the row has no flag");
  const option = new Option(flagUsage(row.flag), settingHelp(row));
  // Values stay text: the loader parses them, naming the flag in its messages.
  if (row.flag.kind === "list") option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return option;
}

/** Adds a flag for every row that has one, in table order. */
export function addSettingOptions(command: Command, rows: readonly SettingRow[]): Command {
  for (const row of rows) if (row.flag !== undefined) command.addOption(settingOption(row));
  return command;
}

/** The `--config` option, from the table's config-file entry. */
export function configFileOption(): Option {
  return new Option(flagUsage(configFileSetting.flag), `${configFileSetting.doc} (env ${configFileSetting.env})`);
}

/**
 * The settings flags the user typed, nothing else: commander fills defaults of its own (e.g.
 * `--no-metrics-auth` defaults metricsAuth to true), which would otherwise override the config
 * file and environment.
 */
export function settingFlagsGiven(command: Command, rows: readonly SettingRow[]): ServerFlags {
  const attributes = new Set([flagAttribute(configFileSetting.flag), ...rows.flatMap((row) => (row.flag ? [flagAttribute(row.flag)] : []))]);
  const options = command.opts<Record<string, unknown>>();
  return Object.fromEntries(Object.entries(options).filter(([key]) => attributes.has(key) && command.getOptionValueSource(key) === "cli")) as ServerFlags;
}
