/** openrerank's public library API. */
export { loadReranker, type LoadRerankerOptions } from "./reranker/load-reranker.js";
export type { Reranker, RerankerInfo, RerankOptions, RerankResponse, RerankResult, RerankUsage, RerankWarning } from "./reranker/types.js";
export { CrossEncoderReranker, type CrossEncoderInfo } from "./backends/cross-encoder/cross-encoder-reranker.js";
export { OpenRerankError, errorCatalog, isOpenRerankError, type ErrorCode } from "./errors/catalog.js";
export { dtypes, type Dtype } from "./inference/model-resolution/onnx-variants.js";
export { documentText, defaultRankFields } from "./documents/document-text.js";
export { defaultMaxTokensPerDoc } from "./backends/cross-encoder/cross-encoder-reranker.js";
