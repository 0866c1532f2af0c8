import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BatchReport } from "../inference/batching/batch-scheduler.js";

/** Queue depth of one model, read when Prometheus scrapes. */
export interface QueueDepth {
  model: string;
  pairs: number;
}

/**
 * The service's Prometheus metrics, in a registry of its own (several apps can live in one
 * process, as in tests). HTTP metrics are recorded by one app-level hook, rerank volumes by
 * the shared rerank call, batch metrics by the scheduler's `onBatch`, never per handler.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"route" | "method" | "status">;
  private readonly latency: Histogram<"route" | "method">;
  private readonly inFlight: Gauge;
  private readonly documents: Counter<"model">;
  private readonly tokens: Counter<"model">;
  private readonly batchPairs: Histogram<"model">;
  private readonly batchRequests: Histogram<"model">;
  private readonly batchSeconds: Histogram<"model">;
  private readonly batchPaddedTokens: Counter<"model">;
  private readonly modelLoadSeconds: Gauge<"model">;
  private readonly workerStops: Counter<"model">;
  private queueDepths: () => QueueDepth[] = () => [];

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "openrerank_" });
    this.requests = new Counter({ name: "openrerank_http_requests_total", help: "HTTP requests by route pattern, method and status.", labelNames: ["route", "method", "status"], registers });
    this.latency = new Histogram({
      name: "openrerank_http_request_duration_seconds",
      help: "HTTP request latency, from arrival to the last byte of the response.",
      labelNames: ["route", "method"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlight = new Gauge({ name: "openrerank_http_requests_in_flight", help: "HTTP requests being handled.", registers });
    this.documents = new Counter({ name: "openrerank_documents_total", help: "Documents reranked.", labelNames: ["model"], registers });
    this.tokens = new Counter({ name: "openrerank_tokens_total", help: "Real (unpadded) tokens fed to the model, special tokens included.", labelNames: ["model"], registers });
    this.batchPairs = new Histogram({
      name: "openrerank_batch_pairs",
      help: "Query-document pairs per model batch.",
      labelNames: ["model"],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.batchRequests = new Histogram({
      name: "openrerank_batch_requests",
      help: "Distinct requests whose pairs shared one model batch (above 1: cross-request batching at work).",
      labelNames: ["model"],
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: "openrerank_batch_duration_seconds",
      help: "Model time per batch.",
      labelNames: ["model"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.batchPaddedTokens = new Counter({ name: "openrerank_batch_padded_tokens_total", help: "Tokens computed including padding (compare with openrerank_tokens_total for padding waste).", labelNames: ["model"], registers });
    this.modelLoadSeconds = new Gauge({ name: "openrerank_model_load_seconds", help: "Time to load each model (session creation and warm-up).", labelNames: ["model"], registers });
    this.workerStops = new Counter({ name: "openrerank_model_worker_restarts_total", help: "Model worker threads that stopped (exited or ran out of memory) and were restarted.", labelNames: ["model"], registers });
    const depths = () => this.queueDepths();
    new Gauge({
      name: "openrerank_queue_pairs",
      help: "Pairs waiting in each model's batch queue.",
      labelNames: ["model"],
      registers,
      collect() {
        this.reset();
        for (const { model, pairs } of depths()) this.set({ model }, pairs);
      },
    });
  }

  /** Where queue depths come from (the model registry), read at scrape time. */
  watchQueues(read: () => QueueDepth[]): void {
    this.queueDepths = read;
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestFinished(route: string, method: string, status: number, seconds: number): void {
    this.inFlight.dec();
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route, method }, seconds);
  }

  rerankServed(model: string, documents: number, tokens: number): void {
    this.documents.inc({ model }, documents);
    this.tokens.inc({ model }, tokens);
  }

  batchScored(model: string, report: BatchReport): void {
    this.batchPairs.observe({ model }, report.pairs);
    this.batchRequests.observe({ model }, report.requests);
    this.batchSeconds.observe({ model }, report.milliseconds / 1000);
    this.batchPaddedTokens.inc({ model }, report.paddedTokens);
  }

  /** A model's worker stopped; a restart is scheduled. */
  workerStopped(model: string): void {
    this.workerStops.inc({ model });
  }

  modelLoaded(model: string, milliseconds: number): void {
    this.modelLoadSeconds.set({ model }, milliseconds / 1000);
  }
}
