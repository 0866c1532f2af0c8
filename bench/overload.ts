/**
 * Overload on loopback: `openrerank serve` (default settings) on a test model, first measured
 * single-stream, then offered N× that rate open-loop (arrivals do not wait for answers) for a
 * bounded time. Prints goodput against single-stream, every status, how fast refusals come,
 * their Retry-After against how long the queue really took to drain, and the latency of the
 * requests that were admitted.
 *
 *   npm run build && npm run test-models
 *   node --import tsx bench/overload.ts [--factor 4] [--seconds 30] [--model test/tinybert-l2] [--cli dist/cli/main.js]
 *
 * `--cli` may point at another build (e.g. an older checkout) to compare the two side by side.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { scifactTexts } from "../tests/support/test-models.js";
import { quantile } from "./stats.js";

const { values } = parseArgs({
  options: {
    factor: { type: "string", default: "4" },
    seconds: { type: "string", default: "30" },
    model: { type: "string", default: "test/tinybert-l2" },
    cli: { type: "string", default: "dist/cli/main.js" },
    documents: { type: "string", default: "50" },
  },
});
const factor = Number(values.factor);
const seconds = Number(values.seconds);
const body = JSON.stringify({ query: "What causes inflammation of the airways?", documents: scifactTexts(Number(values.documents)) });

const child = spawn(process.execPath, [path.resolve(values.cli), "serve", "--host", "127.0.0.1", "--port", "0", "--models-dir", "build/models", "--offline", "--model", values.model], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise<string>((resolve, reject) => {
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const match = /listening on (http:\/\/[\d.:]+)/.exec(buffered);
    if (match) resolve(match[1]);
  });
  child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
});
await waitReady(url);

interface Outcome {
  status: number;
  sentAt: number;
  ms: number;
  retryAfter?: number;
}

async function send(): Promise<Outcome> {
  const sentAt = performance.now();
  try {
    const response = await fetch(`${url}/v2/rerank`, { method: "POST", headers: { "content-type": "application/json" }, body });
    await response.arrayBuffer();
    const retryAfter = response.headers.get("retry-after");
    return { status: response.status, sentAt, ms: performance.now() - sentAt, ...(retryAfter === null ? {} : { retryAfter: Number(retryAfter) }) };
  } catch {
    return { status: 0, sentAt, ms: performance.now() - sentAt };
  }
}

// Single stream: one request at a time for a few seconds (at most 200 requests).
const streamStarted = performance.now();
let streamServed = 0;
while (performance.now() - streamStarted < 8000 && streamServed < 200) if ((await send()).status === 200) streamServed++;
const singleStreamRate = (streamServed * 1000) / (performance.now() - streamStarted);

// Open loop at factor × that rate, bounded in count and time.
const interval = 1000 / (singleStreamRate * factor);
const runStarted = performance.now();
const pending: Promise<Outcome>[] = [];
while (performance.now() - runStarted < seconds * 1000 && pending.length < 20_000) {
  pending.push(send());
  const next = runStarted + pending.length * interval;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
}
const arrivalsEnded = performance.now();
const outcomes = await Promise.all(pending);
const drainMs = Math.max(0, ...outcomes.map((outcome) => outcome.sentAt + outcome.ms)) - arrivalsEnded;
child.kill("SIGTERM");

const byStatus = new Map<number, Outcome[]>();
for (const outcome of outcomes) byStatus.set(outcome.status, [...(byStatus.get(outcome.status) ?? []), outcome]);
const served = byStatus.get(200) ?? [];
const refused = byStatus.get(429) ?? [];
// Served requests per second from the first arrival to the last answer, so the queue's drain counts.
const lastServed = Math.max(arrivalsEnded, ...served.map((outcome) => outcome.sentAt + outcome.ms));
const goodput = (served.length * 1000) / (lastServed - runStarted);
const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
const servedMs = sorted(served.map((outcome) => outcome.ms));
const refusedMs = sorted(refused.map((outcome) => outcome.ms));
const retryAfter = sorted(refused.flatMap((outcome) => (outcome.retryAfter === undefined ? [] : [outcome.retryAfter])));

console.log(`overload: ${values.model}, ${values.documents} documents per request, ${values.cli}`);
console.log(`  single stream: ${singleStreamRate.toFixed(2)} req/s over ${streamServed} requests`);
console.log(`  offered ${factor}x = ${(singleStreamRate * factor).toFixed(2)} req/s for ${seconds} s: ${outcomes.length} requests`);
console.log(`  statuses: ${[...byStatus.entries()].map(([status, list]) => `${status === 0 ? "connection error" : status} ${list.length}`).join(", ")}`);
console.log(`  goodput ${goodput.toFixed(2)} req/s = ${((goodput / singleStreamRate) * 100).toFixed(0)}% of single stream`);
if (servedMs.length > 0) console.log(`  admitted latency p50 ${quantile(servedMs, 0.5).toFixed(0)} ms, p99 ${quantile(servedMs, 0.99).toFixed(0)} ms, max ${servedMs[servedMs.length - 1].toFixed(0)} ms`);
if (refusedMs.length > 0) console.log(`  429s arrive in p50 ${quantile(refusedMs, 0.5).toFixed(1)} ms, p99 ${quantile(refusedMs, 0.99).toFixed(1)} ms; Retry-After p50 ${quantile(retryAfter, 0.5)} s, max ${retryAfter[retryAfter.length - 1]} s`);
console.log(`  the queue drained ${(drainMs / 1000).toFixed(1)} s after arrivals stopped`);

async function waitReady(base: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const ready = await fetch(`${base}/ready`).then((response) => response.status).catch(() => 0);
    if (ready === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the server did not become ready within 60 s");
}
