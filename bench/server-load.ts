/**
 * `openrerank serve` under load on loopback: closed-loop clients (each sends its next request
 * when the last one answers) at several concurrencies, a lone small request probing how long
 * it waits behind the batches of others, and an optional soak that samples the server's RSS.
 * Throughput is compared with the engine's single-stream compute-bound rate, measured in a
 * worker process right before and after each level, so both see the same machine load.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { settle } from "./engine-workloads.js";
import { mean, median, quantile, round, slope, sum } from "./stats.js";
import { BenchWorker } from "./worker-protocol.js";
import type { RerankRequest } from "./workloads.js";

export interface ServerLoadOptions {
  model: string;
  modelsDir: string;
  dtype: "fp32" | "int8";
  /** Requests the clients cycle through. */
  requests: RerankRequest[];
  /** A one-document request for the latency probe. */
  probe: RerankRequest;
  /** Clients loading the server while the probe runs (0: no probe phase). */
  probeConcurrency: number;
  concurrencies: number[];
  /** Requests per level with several clients, at least two per client; a level also stops starting requests after `maxSecondsPerLevel`. */
  requestsPerLevel: number;
  /** Requests at concurrency 1 (each paired with the same request in process). */
  oneClientRequests: number;
  maxSecondsPerLevel: number;
  /** Back-to-back requests per single-stream measurement. */
  computeBoundRequests: number;
  soakMinutes: number;
  log(line: string): void;
}

export interface ServerLevelResult {
  concurrency: number;
  requests: number;
  errors: number;
  pairs_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  /** In-process single-stream pairs/s (our engine, back-to-back requests, no HTTP): mean of the measurements before and after this level (at one client, of the paired runs). */
  compute_bound_pairs_per_s: number | null;
  /** pairs_per_s / compute_bound_pairs_per_s. */
  ratio_to_compute_bound: number | null;
  /** Mean model batch duration and pairs per batch during the level, from the server's /metrics. */
  server_batch_mean_ms: number | null;
  server_batch_mean_pairs: number | null;
  /** Padded / real tokens the server computed during the level. */
  server_padding_ratio: number | null;
  server_peak_rss_mb: number | null;
}

/** A lone one-document request sent every 300 ms while other clients keep the server busy. */
export interface ServerProbeResult {
  concurrency: number;
  probe_count: number;
  probe_p50_ms: number | null;
  probe_p95_ms: number | null;
  /** The same one-document request in process with nothing else running, p50. */
  probe_alone_ms: number | null;
  /** A full batch in process (p50), measured right after the phase: "one batch". */
  batch_p50_ms: number | null;
  /** (probe_p50_ms − probe_alone_ms) / batch_p50_ms: latency the load added, in batches (HTTP overhead included). */
  added_latency_batches: number | null;
}

export interface ServerLoadResult {
  model: string;
  dtype: string;
  documents_per_request: number;
  /** In-process single-request latency (p50, ms), for the lone-request overhead. */
  in_process_p50_ms: number | null;
  /** Median over requests of (HTTP latency − the same request in process, run just before): what serving adds to a lone request (HTTP, JSON, worker hop, scheduling). */
  lone_request_overhead_ms: number | null;
  /** In-process batch duration p50 (ms): "one batch" in the lone-request target. */
  in_process_batch_p50_ms: number | null;
  levels: ServerLevelResult[];
  probe: ServerProbeResult | null;
  soak: SoakResult | null;
}

export interface SoakResult {
  minutes: number;
  concurrency: number;
  requests: number;
  errors: number;
  pairs_per_s: number | null;
  rss_first_minute_mb: number | null;
  rss_last_minute_mb: number | null;
  rss_peak_mb: number | null;
  /** Least-squares slope of RSS over the run after its first minute, MB per minute. */
  rss_slope_mb_per_min: number | null;
  samples: { seconds: number; rssMb: number }[];
}

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

export async function runServerLoad(options: ServerLoadOptions): Promise<ServerLoadResult> {
  const engine = await BenchWorker.start({ kind: "ours", model: options.model, modelsDir: options.modelsDir, dtype: options.dtype });
  const server = await startServer(options);
  try {
    const documentsPerRequest = options.requests[0].documents.length;
    // Warm both up, then measure what one request costs with nothing else running.
    await engine.call({ type: "run", request: options.requests[0] });
    await post(server.url, options.model, options.requests[0]);
    const inProcess = await computeBound(engine, options);
    const computeRates = [inProcess.pairsPerSecond];
    const levels: ServerLevelResult[] = [];
    let loneOverhead = Number.NaN;
    for (const concurrency of options.concurrencies) {
      const before = await scrapeMetrics(server.url, options.model);
      const rss = new RssSampler(server.process.pid as number, 1000);
      const total = concurrency === 1 ? options.oneClientRequests : Math.max(options.requestsPerLevel, 2 * concurrency);
      options.log(`  serve ${options.model} ${options.dtype}: ${concurrency} client(s), ${total} requests of ${documentsPerRequest} documents`);
      let level: LevelSamples;
      let computeRate: number;
      if (concurrency === 1) {
        // One client: each HTTP request right after the same request in process, so the
        // difference is what serving adds, paired against the machine's load of the moment.
        const paired = await pairedLoneRequests(server.url, engine, options, total);
        level = paired.level;
        computeRate = paired.computePairsPerSecond;
        loneOverhead = median(paired.overheads);
      } else {
        level = await closedLoop(server.url, options, concurrency, total, false);
        const next = await computeBound(engine, options);
        computeRates.push(next.pairsPerSecond);
        computeRate = mean(computeRates.slice(-2));
      }
      rss.stop();
      const after = await scrapeMetrics(server.url, options.model);
      const batches = after.batchCount - before.batchCount;
      const latencies = level.latencies;
      levels.push({
        concurrency,
        requests: latencies.length,
        errors: level.errors,
        pairs_per_s: round(level.pairs / level.seconds),
        p50_ms: round(median(latencies)),
        p99_ms: round(quantile(latencies, 0.99)),
        compute_bound_pairs_per_s: round(computeRate),
        ratio_to_compute_bound: round(level.pairs / level.seconds / computeRate, 3),
        server_batch_mean_ms: batches > 0 ? round(((after.batchSeconds - before.batchSeconds) * 1000) / batches) : null,
        server_batch_mean_pairs: batches > 0 ? round((after.batchPairs - before.batchPairs) / batches) : null,
        server_padding_ratio: after.realTokens > before.realTokens ? round((after.paddedTokens - before.paddedTokens) / (after.realTokens - before.realTokens), 3) : null,
        server_peak_rss_mb: round(rss.peakMb),
      });
    }
    const probe = options.probeConcurrency > 0 ? await runProbe(server.url, engine, options) : null;
    const soak = options.soakMinutes > 0 ? await runSoak(server, options) : null;
    return {
      model: options.model,
      dtype: options.dtype,
      documents_per_request: documentsPerRequest,
      in_process_p50_ms: round(inProcess.p50Ms),
      lone_request_overhead_ms: round(loneOverhead),
      in_process_batch_p50_ms: round(inProcess.batchP50Ms),
      levels,
      probe,
      soak,
    };
  } finally {
    await server.stop();
    await engine.stop();
  }
}

/**
 * A separate phase (so the probe's own work does not count against the levels' throughput):
 * `probeConcurrency` clients load the server and a lone one-document request is sent every
 * 300 ms; its latency is compared with the same request alone and with one full batch.
 */
async function runProbe(url: string, engine: BenchWorker, options: ServerLoadOptions): Promise<ServerProbeResult> {
  const concurrency = options.probeConcurrency;
  await settle();
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) alone.push((await engine.call({ type: "run", request: options.probe })).ms);
  options.log(`  serve ${options.model} ${options.dtype}: ${concurrency} clients and a lone one-document request every 300 ms`);
  const level = await closedLoop(url, options, concurrency, Math.max(options.requestsPerLevel, 2 * concurrency), true);
  const batch = (await computeBound(engine, options)).batchP50Ms;
  const probeP50 = median(level.probeLatencies);
  return {
    concurrency,
    probe_count: level.probeLatencies.length,
    probe_p50_ms: round(probeP50),
    probe_p95_ms: round(quantile(level.probeLatencies, 0.95)),
    probe_alone_ms: round(median(alone)),
    batch_p50_ms: round(batch),
    added_latency_batches: round((probeP50 - median(alone)) / batch, 2),
  };
}

/** Alternates one request in process and the same over HTTP; the level's rate counts the HTTP time only. */
async function pairedLoneRequests(url: string, engine: BenchWorker, options: ServerLoadOptions, total: number): Promise<{ level: LevelSamples; overheads: number[]; computePairsPerSecond: number }> {
  const level: LevelSamples = { latencies: [], probeLatencies: [], pairs: 0, errors: 0, seconds: 0 };
  const overheads: number[] = [];
  let computePairs = 0;
  let computeMs = 0;
  for (let i = 0; i < total; i++) {
    const request = options.requests[(i + 1) % options.requests.length];
    await settle();
    const inProcess = await engine.call({ type: "run", request });
    computePairs += inProcess.pairs;
    computeMs += inProcess.ms;
    await settle();
    const sent = performance.now();
    level.pairs += await post(url, options.model, request);
    const latency = performance.now() - sent;
    level.latencies.push(latency);
    level.seconds += latency / 1000;
    overheads.push(latency - inProcess.ms);
  }
  return { level, overheads, computePairsPerSecond: computePairs / (computeMs / 1000) };
}

/** Our engine alone, requests back to back: the rate the model can compute at. */
async function computeBound(engine: BenchWorker, options: ServerLoadOptions): Promise<{ pairsPerSecond: number; p50Ms: number; batchP50Ms: number }> {
  await settle();
  const runs = [];
  for (let i = 0; i < options.computeBoundRequests; i++) runs.push(await engine.call({ type: "run", request: options.requests[(i + 1) % options.requests.length] }));
  return {
    pairsPerSecond: sum(runs.map((run) => run.pairs)) / (sum(runs.map((run) => run.ms)) / 1000),
    p50Ms: median(runs.map((run) => run.ms)),
    batchP50Ms: median(runs.flatMap((run) => run.batchMs)),
  };
}

interface RunningServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(options: ServerLoadOptions): Promise<RunningServer> {
  const port = await freePort();
  const args = [
    "--import",
    "tsx",
    "src/cli/main.ts",
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--model",
    options.model,
    "--models-dir",
    options.modelsDir,
    "--dtype",
    options.dtype,
    "--offline",
    "--log-level",
    "warn",
    // Closed-loop clients queue by design; a 504 would cut the measurement short, not describe it.
    "--request-timeout-ms",
    "600000",
  ];
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: ["ignore", "inherit", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`openrerank serve exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/ready`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("openrerank serve was not ready after 120 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function post(url: string, model: string, request: RerankRequest): Promise<number> {
  const response = await fetch(`${url}/v2/rerank`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, query: request.query, documents: request.documents }),
  });
  const body = (await response.json()) as { results?: unknown[] };
  if (response.status !== 200 || !Array.isArray(body.results)) throw new Error(`POST /v2/rerank answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.results.length;
}

interface LevelSamples {
  latencies: number[];
  probeLatencies: number[];
  pairs: number;
  errors: number;
  seconds: number;
}

/** `clients` loops share `total` requests; no request starts after the time limit. */
async function closedLoop(url: string, options: ServerLoadOptions, clients: number, total: number, probe: boolean): Promise<LevelSamples> {
  const samples: LevelSamples = { latencies: [], probeLatencies: [], pairs: 0, errors: 0, seconds: 0 };
  const started = performance.now();
  const deadline = started + options.maxSecondsPerLevel * 1000;
  let issued = 0;
  let running = true;
  const client = async (): Promise<void> => {
    while (issued < total && performance.now() < deadline) {
      const request = options.requests[issued++ % options.requests.length];
      const sent = performance.now();
      try {
        // Not `pairs += await …`: that reads `pairs` before the await and loses other clients' updates.
        const scored = await post(url, options.model, request);
        samples.pairs += scored;
        samples.latencies.push(performance.now() - sent);
      } catch (error) {
        samples.errors++;
        if (samples.errors === 1) options.log(`    first error: ${(error as Error).message}`);
      }
    }
  };
  const prober = async (): Promise<void> => {
    // Let the load build up first, then send a lone one-document request every 300 ms.
    await new Promise((resolve) => setTimeout(resolve, 200));
    while (running) {
      const sent = performance.now();
      try {
        await post(url, options.model, options.probe);
        samples.probeLatencies.push(performance.now() - sent);
      } catch {
        samples.errors++;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };
  const probing = probe ? prober() : Promise.resolve();
  await Promise.all(Array.from({ length: clients }, client));
  samples.seconds = (performance.now() - started) / 1000;
  running = false;
  await probing;
  return samples;
}

interface MetricsSnapshot {
  batchSeconds: number;
  batchCount: number;
  batchPairs: number;
  realTokens: number;
  paddedTokens: number;
}

async function scrapeMetrics(url: string, model: string): Promise<MetricsSnapshot> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string): number => {
    const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(`model="${model}"`));
    return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : Number.NaN;
  };
  return {
    batchSeconds: value("openrerank_batch_duration_seconds_sum"),
    batchCount: value("openrerank_batch_duration_seconds_count"),
    batchPairs: value("openrerank_batch_pairs_sum"),
    realTokens: value("openrerank_tokens_total"),
    paddedTokens: value("openrerank_batch_padded_tokens_total"),
  };
}

/** Samples a process's resident set size from /proc (Linux); elsewhere it records nothing. */
class RssSampler {
  readonly samples: { seconds: number; rssMb: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly started = performance.now();

  constructor(
    private readonly pid: number,
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
      if (Number.isFinite(kb)) this.samples.push({ seconds: (performance.now() - this.started) / 1000, rssMb: kb / 1024 });
    } catch {
      // Not Linux, or the process is gone.
    }
  }

  get peakMb(): number {
    return this.samples.length > 0 ? Math.max(...this.samples.map((s) => s.rssMb)) : Number.NaN;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** Eight closed-loop clients for `soakMinutes`, the server's RSS sampled every 5 s. */
async function runSoak(server: RunningServer, options: ServerLoadOptions): Promise<SoakResult> {
  const concurrency = 8;
  options.log(`  soak: ${concurrency} clients for ${options.soakMinutes} min, RSS sampled every 5 s`);
  const rss = new RssSampler(server.process.pid as number, 5000);
  const level = await closedLoop(server.url, { ...options, maxSecondsPerLevel: options.soakMinutes * 60 }, concurrency, Number.MAX_SAFE_INTEGER, false);
  rss.stop();
  const firstMinute = rss.samples.filter((s) => s.seconds <= 60).map((s) => s.rssMb);
  const lastMinute = rss.samples.filter((s) => s.seconds >= level.seconds - 60).map((s) => s.rssMb);
  const settled = rss.samples.filter((s) => s.seconds > 60);
  return {
    minutes: options.soakMinutes,
    concurrency,
    requests: level.latencies.length,
    errors: level.errors,
    pairs_per_s: round(level.pairs / level.seconds),
    rss_first_minute_mb: round(mean(firstMinute)),
    rss_last_minute_mb: round(mean(lastMinute)),
    rss_peak_mb: round(rss.peakMb),
    rss_slope_mb_per_min: round(slope(settled.map((s) => s.seconds / 60), settled.map((s) => s.rssMb)), 2),
    samples: rss.samples.map((s) => ({ seconds: Math.round(s.seconds), rssMb: Math.round(s.rssMb) })),
  };
}
