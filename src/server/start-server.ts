import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import type { ModelSpec, ServerConfig } from "../config/load-settings.js";
import { randomWeightNotice } from "../reranker/test-model-notice.js";
import { buildApp } from "./build-app.js";
import { hostModel, type ModelHostEvents } from "./model-host/host-model.js";
import { ModelRegistry, type ServedReranker } from "./model-registry.js";
import { ServerLifecycle } from "./server-lifecycle.js";
import { ServerMetrics } from "./server-metrics.js";

/** Loads one model; the events feed the batch and worker metrics and the log. */
export type ModelLoader = (spec: ModelSpec, events: ModelHostEvents) => Promise<ServedReranker>;

export interface RunningServer {
  app: FastifyInstance;
  registry: ModelRegistry;
  lifecycle: ServerLifecycle;
  metrics: ServerMetrics;
  /** Base URL the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Settles when every model is loaded (the server is ready) or one failed to load. */
  modelsLoaded: Promise<void>;
  /** Stops accepting connections, lets in-flight requests finish, then releases the models. */
  close(): Promise<void>;
}

/**
 * Starts listening first and loads models after, so `/health` answers and `/ready` says 503
 * during a long first download instead of the port staying closed.
 */
export async function startServer(config: ServerConfig, options: { loadModel?: ModelLoader; logStream?: DestinationStream } = {}): Promise<RunningServer> {
  const metrics = new ServerMetrics();
  const registry = new ModelRegistry();
  const lifecycle = new ServerLifecycle();
  const app = await buildApp({ config, registry, lifecycle, metrics, logStream: options.logStream });
  const url = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { models: config.models.map((model) => model.id), auth: config.apiKeys.length > 0 ? `${config.apiKeys.length} API key(s)` : "off", ...config.batchLimits, maxDocuments: config.maxDocuments, requestTimeoutMs: config.requestTimeoutMs },
    `openrerank listening on ${url}; loading models`,
  );
  const loadModel = options.loadModel ?? ((spec: ModelSpec, events: ModelHostEvents) => hostModel(spec, config, events));
  const modelsLoaded = (async () => {
    for (const spec of config.models) {
      const reranker = await loadModel(spec, {
        onBatch: (report) => metrics.batchScored(spec.id, report),
        onWorkerStopped: ({ reason, restartInMs }) => {
          metrics.workerStopped(spec.id);
          app.log.error({ model: spec.id, restartInMs }, `${reason}; its requests failed with 503 model_unavailable; restarting in ${restartInMs} ms`);
        },
        onWorkerRestarted: () => app.log.info({ model: spec.id }, `the model worker for ${spec.id} is serving again`),
      });
      registry.add(spec, reranker);
      metrics.modelLoaded(spec.id, reranker.info.loadMs);
      const { info } = reranker;
      app.log.info({ model: spec.id, aliases: spec.aliases, backend: info.backend, precision: info.precision, window: info.contextLength, loadMs: Math.round(info.loadMs), ...info.details }, `loaded ${spec.id}`);
      if (info.isTestModel) app.log.warn({ model: spec.id }, `${spec.id} is a ${randomWeightNotice}`);
    }
    lifecycle.markReady();
    app.log.info("ready");
  })();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.startDraining();
      await app.close();
      await modelsLoaded.catch(() => undefined);
      await registry.dispose();
    })());
  return { app, registry, lifecycle, metrics, url, modelsLoaded, close };
}
