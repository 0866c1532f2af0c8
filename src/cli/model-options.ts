import { Option, type Command } from "commander";
import type { LoadRerankerOptions } from "../backends/load-reranker.js";
import { loadModelSettings } from "../config/load-settings.js";
import { environmentOnlyHelp } from "../config/settings-docs.js";
import { settingRows } from "../config/settings.js";
import { addSettingOptions, settingFlagsGiven } from "./setting-flags.js";
import { createTerminalProgress } from "./terminal-progress.js";

/** The settings rows every model-loading command shares: models dir, cache, offline, revision, hub, dtype, threads. */
export const modelSettingRows = settingRows.filter((row) => row.scope === "model");

/** `--model` of commands that load one model (`serve` has a repeatable `--model` with aliases, from the table). */
export function modelOption(): Option {
  return new Option("--model <id|dir>", "Hugging Face id (org/name) or model directory").makeOptionMandatory();
}

/**
 * Adds the model flags `rerank`, `eval` and `serve` share, generated from the settings table
 * (same names, help, defaults and environment variables everywhere), and lists the
 * environment-only hub settings in `--help`.
 */
export function addModelOptions(command: Command): Command {
  addSettingOptions(command, modelSettingRows);
  command.addHelpText("after", environmentOnlyHelp(modelSettingRows));
  return command;
}

/**
 * What `loadReranker` needs besides the model, from the model flags the user typed over the
 * environment and the defaults, plus a terminal progress bar for downloads when stderr is a TTY.
 */
export function modelLoadOptions(command: Command): Omit<LoadRerankerOptions, "model"> {
  const { modelSource, dtype, threads } = loadModelSettings(settingFlagsGiven(command, modelSettingRows));
  return {
    modelsDir: modelSource.modelsDir,
    cacheDir: modelSource.cacheDir,
    offline: modelSource.offline,
    hub: modelSource.hub,
    dtype,
    threads,
    progress: process.stderr.isTTY ? createTerminalProgress() : undefined,
  };
}
