import { OpenRerankError } from "../errors/catalog.js";

export type ServerPhase = "loading" | "ready" | "draining";

/**
 * Where the server is in its life: loading models (it already answers /health, and /ready
 * says 503), ready, or draining after SIGTERM (in-flight work finishes, new work is refused).
 */
export class ServerLifecycle {
  private current: ServerPhase = "loading";

  get phase(): ServerPhase {
    return this.current;
  }

  markReady(): void {
    if (this.current === "loading") this.current = "ready";
  }

  startDraining(): void {
    this.current = "draining";
  }

  /** Throws the 503 a rerank request gets while models load or the server drains. */
  assertAcceptingWork(): void {
    if (this.current === "loading") {
      throw new OpenRerankError("models_loading", "the server is still loading its models; retry in a few seconds (GET /ready answers 200 once they are loaded)", {
        retryAfterSeconds: 5,
      });
    }
    if (this.current === "draining") {
      throw new OpenRerankError("shutting_down", "the server is shutting down and accepts no new work; retry on another instance", {});
    }
  }
}
