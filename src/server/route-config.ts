/**
 * Per-route settings the app-level hooks read (Fastify's route `config`), so auth and error
 * shapes are declared on the route instead of matched by path in several places.
 */
declare module "fastify" {
  interface FastifyContextConfig {
    /** `public`: no API key needed (health, readiness, docs); `metrics`: needs one only when metricsAuth is on. Default: an API key is required when keys are configured. */
    access?: "public" | "metrics";
    /** `tei`: error bodies also carry TEI's `error` and `error_type` fields. */
    errorStyle?: "tei";
  }
}

export {};
