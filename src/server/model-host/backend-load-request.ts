import type { LoadRerankerOptions } from "../../backends/load-reranker.js";

/** `loadReranker`'s options that can cross to a worker thread: everything but the callbacks. */
export type BackendLoadRequest = Omit<LoadRerankerOptions, "progress" | "onBatch">;
