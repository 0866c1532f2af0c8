import { Command, Option } from "commander";
import { configFileEnv, defaultModelId, resolveServerConfig, settingSources, type ServerFlags } from "../../config/server-config.js";
import { defaultBatchLimits } from "../../inference/batching/batch-scheduler.js";
import { dtypes } from "../../inference/model-resolution/onnx-variants.js";
import { installShutdownHandlers } from "../../server/graceful-shutdown.js";
import { startServer } from "../../server/start-server.js";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const env = (key: keyof typeof settingSources): string => `(env ${settingSources[key].env})`;

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Serve rerank models over HTTP: Cohere v1/v2, Jina and TEI compatible endpoints, /metrics, /health, /ready, /openapi.json and /docs.")
    .option("--config <file>", `JSON or YAML config file; flags and env override it (env ${configFileEnv})`)
    .option("--host <host>", `interface to listen on, default 0.0.0.0 ${env("host")}`)
    .option("--port <port>", `TCP port, default 8080 ${env("port")}`)
    .option("--model <id[=alias,...]>", `model to serve, repeatable: hub id or directory, optionally with aliases (--model Xenova/ms-marco-MiniLM-L-6-v2=rerank-v3.5,rerank-english-v3.0); default ${defaultModelId} ${env("models")}, entries separated by ";"`, collect)
    .option("--models-dir <dir>", `directory of <org>/<name>/ model folders ${env("modelsDir")}`)
    .option("--cache-dir <dir>", `download cache ${env("cacheDir")}`)
    .addOption(new Option("--dtype <dtype>", `ONNX variant to load, default fp32 ${env("dtype")}`).choices(dtypes))
    .option("--threads <n>", `ONNX Runtime threads per model, default all cores ${env("threads")}`)
    .option("--offline", `never touch the network ${env("offline")}`)
    .option("--api-key <key>", `require this API key (Authorization: Bearer <key>), repeatable ${env("apiKeys")}, comma-separated`, collect)
    .option("--api-keys-file <file>", `file of API keys, one per line ${env("apiKeysFile")}`)
    .option("--no-metrics-auth", `serve /metrics without an API key even when keys are set ${env("metricsAuth")}=false`)
    .option("--request-timeout-ms <ms>", `a rerank request running longer ends with 504, default 30000 ${env("requestTimeoutMs")}`)
    .option("--body-limit <size>", `largest request body (bytes, or 512kb, 32mb), default 32mb; larger gets 413 ${env("bodyLimit")}`)
    .option("--max-documents <n>", `most documents per request, default 10000 ${env("maxDocuments")}`)
    .option("--max-batch-tokens <n>", `token budget per model batch (pairs x padded length), default ${defaultBatchLimits.maxBatchTokens} ${env("maxBatchTokens")}`)
    .option("--max-batch-size <n>", `most pairs per model batch, default ${defaultBatchLimits.maxBatchSize} ${env("maxBatchSize")}`)
    .option("--max-queued-pairs <n>", `pairs admitted and not yet answered per model; beyond it requests get 429 at once, default ${defaultBatchLimits.maxQueuedPairs} ${env("maxQueuedPairs")}`)
    .option("--shutdown-timeout-ms <ms>", `how long SIGTERM waits for in-flight requests, default 25000 ${env("shutdownTimeoutMs")}`)
    .option("--log-level <level>", `fatal, error, warn, info, debug, trace or silent; default info ${env("logLevel")}`)
    .action(async (_options: unknown, command: Command) => {
      const config = resolveServerConfig(flagsGivenOnCommandLine(command), process.env);
      const server = await startServer(config);
      installShutdownHandlers({ close: server.close, timeoutMs: config.shutdownTimeoutMs, log: server.app.log });
      try {
        await server.modelsLoaded;
      } catch (error) {
        // Serving without the requested model would answer every request with an error; stop instead.
        await server.close().catch(() => undefined);
        throw error;
      }
    });
}

/**
 * Only flags the user typed: commander fills defaults (e.g. `--no-metrics-auth` defaults
 * metricsAuth to true), which would otherwise override the config file and environment.
 */
function flagsGivenOnCommandLine(command: Command): ServerFlags {
  const options = command.opts<Record<string, unknown>>();
  return Object.fromEntries(Object.entries(options).filter(([key]) => command.getOptionValueSource(key) === "cli")) as ServerFlags;
}
