import { Command } from "commander";
import { stringify as stringifyYaml } from "yaml";
import { loadServerConfig, redactServerConfig } from "../../config/load-settings.js";
import { environmentOnlyHelp } from "../../config/settings-docs.js";
import { settingRows } from "../../config/settings.js";
import { installShutdownHandlers } from "../../server/graceful-shutdown.js";
import { startServer } from "../../server/start-server.js";
import { addSettingOptions, configFileOption, settingFlagsGiven } from "../setting-flags.js";

/** `openrerank serve`: every flag, its help, default and environment variable come from the settings table. */
export function registerServeCommand(program: Command): void {
  const command = program
    .command("serve")
    .description("Serve rerank models over HTTP: Cohere v1/v2, Jina and TEI compatible endpoints, /metrics, /health, /ready, /openapi.json and /docs.")
    .addOption(configFileOption());
  addSettingOptions(command, settingRows)
    .option("--print-config", "print the resolved configuration (secrets redacted) as YAML and exit")
    .addHelpText("after", `${environmentOnlyHelp(settingRows)}\nPrecedence: defaults < config file < environment < flags.\n`)
    .action(async (options: { printConfig?: boolean }, command: Command) => {
      const config = loadServerConfig(settingFlagsGiven(command, settingRows));
      if (options.printConfig) {
        process.stdout.write(stringifyYaml(redactServerConfig(config)));
        return;
      }
      const server = await startServer(config);
      installShutdownHandlers({ close: server.close, forceClose: () => server.registry.dispose(), timeoutMs: config.shutdownTimeoutMs, log: server.app.log });
      try {
        await server.modelsLoaded;
      } catch (error) {
        // Serving without the requested model would answer every request with an error; stop instead.
        await server.close().catch(() => undefined);
        throw error;
      }
    });
}
