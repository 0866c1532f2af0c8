import type { DestinationStream } from "pino";
import { loadServerConfig, type ServerConfig, type ServerFlags } from "../../src/config/load-settings.js";
import { startServer, type ModelLoader, type RunningServer } from "../../src/server/start-server.js";
import { requireTestModel, testModelsDir } from "./test-models.js";

/**
 * Starts the real server (config resolution, model loading, listening on an ephemeral
 * loopback port) on the random-weight test models. Tests use `server.app.inject()` for most
 * calls and `server.url` for real clients. The environment is empty, so the host's
 * OPENRERANK_* variables cannot change what a test sees.
 */
export async function startTestServer(
  flags: ServerFlags = {},
  options: { logStream?: DestinationStream; loadModel?: ModelLoader; waitForModels?: boolean; adjust?: (config: ServerConfig) => void } = {},
): Promise<RunningServer> {
  requireTestModel("test/minilm-l6");
  const config = loadServerConfig(
    { host: "127.0.0.1", port: "0", model: ["test/minilm-l6=rerank-v3.5,rerank-english-v3.0"], modelsDir: testModelsDir, offline: true, logLevel: "silent", ...flags },
    {},
  );
  options.adjust?.(config);
  const server = await startServer(config, { logStream: options.logStream, loadModel: options.loadModel });
  if (options.waitForModels ?? true) await server.modelsLoaded;
  return server;
}

/** A JSON POST for `app.inject`. */
export function postJson(url: string, payload: unknown, headers: Record<string, string> = {}) {
  return { method: "POST" as const, url, payload: JSON.stringify(payload), headers: { "content-type": "application/json", ...headers } };
}

/** Reads one sample (or the sum over matching label sets) from Prometheus text. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).match(/^\{([^}]*)\}/)?.[1] ?? "";
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
      found = true;
    }
  }
  return found ? total : NaN;
}
