import type { FastifyBaseLogger } from "fastify";

export interface ShutdownOptions {
  /** Stops accepting, drains in-flight work, releases resources. */
  close(): Promise<void>;
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
 * A second signal exits at once, for the operator who presses Ctrl-C twice.
 * Returns a function that removes the handlers.
 */
export function installShutdownHandlers(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? (["SIGTERM", "SIGINT"] as const);
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.log.warn({ signal }, "second signal: exiting without waiting for in-flight requests");
      exit(1);
      return;
    }
    shuttingDown = true;
    options.log.info({ signal, timeoutMs: options.timeoutMs }, "shutting down: no new connections, draining in-flight requests");
    const deadline = setTimeout(() => {
      options.log.error({ timeoutMs: options.timeoutMs }, "in-flight requests did not drain in time; exiting anyway");
      exit(1);
    }, options.timeoutMs);
    deadline.unref();
    options
      .close()
      .then(() => {
        clearTimeout(deadline);
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
