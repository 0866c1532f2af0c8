import type { CrossEncoderInfo } from "../../backends/cross-encoder/cross-encoder-reranker.js";
import { errorCatalog, isOpenRerankError, OpenRerankError, type ErrorCode } from "../../errors/catalog.js";
import type { BatchReport, BatchLimits } from "../../inference/batching/batch-scheduler.js";
import type { RerankOptions, RerankResponse } from "../../reranker/types.js";

/** What the worker loads: `loadReranker`'s options minus the callbacks, which cannot cross threads. */
export interface WorkerModelOptions {
  model: string;
  modelsDir?: string;
  cacheDir?: string;
  dtype?: string;
  threads?: number;
  offline?: boolean;
  hubEndpoint?: string;
  hubToken?: string;
  batchLimits?: BatchLimits;
}

export type MessageToWorker =
  | { type: "rerank"; id: number; query: string; documents: string[]; options: Omit<RerankOptions, "signal"> }
  /** The caller gave up (disconnect, timeout): drop the request's queued pairs. */
  | { type: "cancel"; id: number }
  | { type: "dispose" };

export type MessageFromWorker =
  | { type: "loaded"; info: CrossEncoderInfo }
  | { type: "load_failed"; error: SerializedError }
  | { type: "result"; id: number; response: RerankResponse }
  | { type: "failed"; id: number; error: SerializedError }
  | { type: "batch"; report: BatchReport }
  | { type: "disposed" };

/** An error as plain data: catalog errors keep code and details; others keep name and stack for the log. */
export interface SerializedError {
  code?: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  name?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (isOpenRerankError(error)) return { code: error.code, message: error.message, details: { ...error.details } };
  if (error instanceof Error) return { message: error.message, name: error.name, stack: error.stack };
  return { message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.code !== undefined && error.code in errorCatalog) return new OpenRerankError(error.code, error.message, error.details ?? {});
  const revived = new Error(error.message);
  revived.name = error.name ?? "Error";
  if (error.stack) revived.stack = error.stack;
  return revived;
}
