import type { FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import type { ModelSpec, ServerConfig } from "../config/server-config.js";
import type { BatchReport } from "../inference/batching/batch-scheduler.js";
import { buildApp } from "./build-app.js";
import { ModelRegistry, type ServedReranker } from "./model-registry.js";
import { WorkerReranker } from "./model-worker/worker-reranker.js";
import { ServerLifecycle } from "./server-lifecycle.js";
import { ServerMetrics } from "./server-metrics.js";

/** Loads one model; `onBatch` feeds the batch metrics. */
export type ModelLoader = (spec: ModelSpec, onBatch: (report: BatchReport) => void) => Promise<ServedReranker>;

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
 * The loader the CLI uses: each cross-encoder runs on a worker thread of its own (see
 * model-worker.ts for why), with model sources and batch limits from the resolved config.
 */
export function workerModelLoader(config: ServerConfig): ModelLoader {
  return (spec, onBatch) =>
    WorkerReranker.load(
      {
        model: spec.id,
        dtype: spec.dtype ?? config.dtype,
        threads: config.threads,
        modelsDir: config.modelSource.modelsDir,
        cacheDir: config.modelSource.cacheDir,
        offline: config.modelSource.offline,
        hubEndpoint: config.modelSource.hubEndpoint,
        hubToken: config.modelSource.hubToken,
        batchLimits: config.batchLimits,
      },
      onBatch,
    );
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
  const loadModel = options.loadModel ?? workerModelLoader(config);
  const modelsLoaded = (async () => {
    for (const spec of config.models) {
      const reranker = await loadModel(spec, (report) => metrics.batchScored(spec.id, report));
      registry.add(spec, reranker);
      metrics.modelLoaded(spec.id, reranker.info.loadMs);
      app.log.info({ model: spec.id, aliases: spec.aliases, weights: `${reranker.info.directory}/${reranker.info.weightsFile}`, dtype: reranker.info.dtype, window: reranker.info.maxSequenceLength, loadMs: Math.round(reranker.info.loadMs) }, `loaded ${spec.id}`);
      if ((reranker.info as { isRandomWeightTestModel?: boolean }).isRandomWeightTestModel) app.log.warn({ model: spec.id }, `${spec.id} is a random-weight test model; its scores carry no meaning`);
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
