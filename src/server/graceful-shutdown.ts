import type { FastifyBaseLogger } from "fastify";

export interface ShutdownOptions {
  /** Stops accepting, drains in-flight work, releases resources. */
  close(): Promise<void>;
  /**
   * The forced path (drain timeout or a second signal): cancels queued work and releases the
   * models once their batch in flight is done, so the process never exits under a native
   * computation (which aborts it instead of exiting 1). Bounded by `forceTimeoutMs`.
   */
  forceClose?(): Promise<void>;
  /** @default 5000 */
  forceTimeoutMs?: number;
  /** How long draining may take before the process exits anyway. */
  timeoutMs: number;
  log: FastifyBaseLogger;
  /** Injected for tests; default `process.exit`. */
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

/**
 * On the first SIGTERM or SIGINT: stop accepting, let in-flight requests finish, exit 0 (or
 * 1 after `timeoutMs`, so an orchestrator's kill deadline is never the thing that ends us).
 * A second signal exits without waiting for in-flight requests, for the operator who presses
 * Ctrl-C twice. Either forced exit first stops the models cleanly (`forceClose`).
 * Returns a function that removes the handlers.
 */
export function installShutdownHandlers(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? (["SIGTERM", "SIGINT"] as const);
  let shuttingDown = false;
  let forcing = false;
  const forceExit = (): void => {
    if (forcing) return;
    forcing = true;
    const force = options.forceClose?.() ?? Promise.resolve();
    const cap = new Promise<void>((resolve) => setTimeout(resolve, options.forceTimeoutMs ?? 5000).unref());
    void Promise.race([force.catch(() => undefined), cap]).then(() => exit(1));
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.log.warn({ signal }, "second signal: stopping the models and exiting without waiting for in-flight requests");
      forceExit();
      return;
    }
    shuttingDown = true;
    options.log.info({ signal, timeoutMs: options.timeoutMs }, "shutting down: no new connections, draining in-flight requests");
    const deadline = setTimeout(() => {
      options.log.error({ timeoutMs: options.timeoutMs }, "in-flight requests did not drain in time; stopping the models and exiting anyway");
      forceExit();
    }, options.timeoutMs);
    deadline.unref();
    options
      .close()
      .then(() => {
        clearTimeout(deadline);
        // After a forced stop the drain "completes" because the models answered 503: still a forced exit.
        if (forcing) return;
        options.log.info("drained; bye");
        exit(0);
      })
      .catch((error: unknown) => {
        clearTimeout(deadline);
        options.log.error({ err: error }, "shutdown failed");
        exit(1);
      });
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
