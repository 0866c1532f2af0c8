import { errorCatalog, isOpenRerankError, OpenRerankError, type ErrorCode } from "../../errors/catalog.js";
import type { AdmissionLimits } from "../../inference/batching/admission.js";
import type { BatchReport } from "../../inference/batching/batch-scheduler.js";
import type { BackendRerankCall, BackendRerankResult } from "../../reranker/reranker-spec.js";
import type { RerankerInfo } from "../../reranker/types.js";
import type { BackendLoadRequest } from "./backend-load-request.js";

/** What a model worker starts with: the backend to load, and the model's admission pool (shared memory). */
export interface WorkerData {
  load: BackendLoadRequest;
  /** The registering module of a backend that is not built in; the worker imports it first. */
  backendModuleUrl?: string;
  admission: { buffer: SharedArrayBuffer; limits: AdmissionLimits };
}

export type MessageToWorker =
  | { type: "rerank"; id: number; call: Omit<BackendRerankCall, "signal"> }
  /** The caller gave up (disconnect, timeout): drop the request's queued pairs. */
  | { type: "cancel"; id: number }
  | { type: "dispose" };

export type MessageFromWorker =
  | { type: "loaded"; info: RerankerInfo }
  | { type: "load_failed"; error: SerializedError }
  | { type: "result"; id: number; result: BackendRerankResult }
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
