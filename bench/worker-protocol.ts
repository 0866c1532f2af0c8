/**
 * Benchmark workers: each engine under test lives in a child process of its own, so its peak
 * RSS is its own and a crash or leak cannot touch the others, while the parent interleaves
 * their requests (ours, baseline, roofline, ours, baseline, …) so that load from other
 * processes on the machine hits every engine alike and ratios stay meaningful.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BatchLimits } from "../src/inference/batching/batch-scheduler.js";
import type { RerankRequest } from "./workloads.js";

/** What a worker runs. `sessionOptions` are merged into every ONNX Runtime session it creates (lever experiments). */
export type WorkerSpec =
  | { kind: "ours"; model: string; modelsDir: string; dtype: "fp32" | "int8"; threads?: number; batchLimits?: Partial<BatchLimits>; sessionOptions?: Record<string, unknown> }
  | { kind: "baseline"; model: string; modelsDir: string; dtype: "fp32" | "int8" }
  | { kind: "roofline"; hidden: number; intermediate: number; dtype: "fp32" | "int8"; threads?: number; sessionOptions?: Record<string, unknown> };

/** One timed request. Times are wall-clock milliseconds measured inside the worker (no IPC). */
export interface RunResult {
  ms: number;
  pairs: number;
  realTokens: number;
  paddedTokens: number;
  /** Model batches the request was split into (1 for the baseline's single call). */
  batches: number;
  /** Milliseconds of each model batch, as the scheduler reported them (ours only). */
  batchMs: number[];
}

export type WorkerCommand =
  | { type: "run"; request: RerankRequest }
  | { type: "tokenize"; request: RerankRequest; repeats: number }
  | { type: "roofline-calibrate"; candidates: number[]; runs: number }
  | { type: "roofline-sample"; rows: number }
  | { type: "memory" };

export interface WorkerAnswers {
  run: RunResult;
  tokenize: { usPerPair: number; pairs: number };
  "roofline-calibrate": { rows: number; gflops: number; byRows: Record<number, number> };
  "roofline-sample": { gflops: number };
  memory: { peakRssMb: number; rssMb: number };
}

/** Answers to commands; id -1 is the one "loaded" message (value `{ loadMs }`) or the load failure. */
export type WorkerMessage = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

const workerFile = fileURLToPath(new URL("./bench-worker.ts", import.meta.url));

/** The parent's handle on one worker process. */
export class BenchWorker {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private exited: Error | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly spec: WorkerSpec,
    readonly loadMs: number,
  ) {
    child.on("message", (message: WorkerMessage) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${describeSpec(spec)}: ${message.error}`));
    });
    child.on("exit", (code, signal) => {
      this.exited = new Error(`${describeSpec(spec)} exited (code ${code}, signal ${signal})`);
      for (const waiter of this.pending.values()) waiter.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Starts a worker and waits until its engine is loaded and warmed up. */
  static start(spec: WorkerSpec): Promise<BenchWorker> {
    const child = fork(workerFile, [JSON.stringify(spec)], { execArgv: ["--import", "tsx"], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`${describeSpec(spec)} failed to start (exit code ${code})`));
      child.once("exit", onExit);
      child.once("message", (message: WorkerMessage) => {
        child.off("exit", onExit);
        if (message.ok) resolve(new BenchWorker(child, spec, (message.value as { loadMs: number }).loadMs));
        else {
          child.kill();
          reject(new Error(`${describeSpec(spec)} failed to load: ${message.error}`));
        }
      });
    });
  }

  call<T extends WorkerCommand>(command: T): Promise<WorkerAnswers[T["type"]]> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }

  /** Ends the worker and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.disconnect();
    await exited;
  }
}

export function describeSpec(spec: WorkerSpec): string {
  if (spec.kind === "roofline") return `roofline ${spec.dtype} h=${spec.hidden}`;
  return `${spec.kind} ${spec.model} ${spec.dtype}`;
}
