/** openrerank's public library API. */
export { loadReranker, loadBackend, pickBackend, type LoadRerankerOptions } from "./backends/load-reranker.js";
export { registerBackend, registeredBackends, type BackendLoadOptions, type BackendRegistration } from "./backends/registry.js";
export { rerank, createReranker } from "./reranker/rerank.js";
export type { BackendRerankCall, BackendRerankResult, DocumentScore, RerankerBackend } from "./reranker/reranker-spec.js";
export { defaultMaxTokensPerDoc, type Reranker, type RerankerInfo, type RerankOptions, type RerankResponse, type RerankResult, type RerankUsage } from "./reranker/types.js";
export { warningMessage, type RerankWarning, type RerankWarningCode } from "./reranker/warnings.js";
export { OpenRerankError, errorCatalog, isOpenRerankError, type ErrorCode } from "./errors/catalog.js";
export { dtypes, type Dtype } from "./backends/cross-encoder-onnx/onnx-layout.js";
export { documentText, defaultRankFields } from "./documents/document-text.js";
