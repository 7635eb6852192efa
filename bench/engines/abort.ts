/**
 * What must not outlive an interrupted run (Ctrl-C, a CI timeout): the flow's processes, the run's
 * PostgreSQL and Redis. Each registers a synchronous way to end it; the signal handler runs them all.
 */
const hooks = new Set<() => void>();

export function atAbort(end: () => void): () => void {
  hooks.add(end);
  return () => hooks.delete(end);
}

export function endAllOnSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      for (const end of hooks) {
        try {
          end();
        } catch {
          // ending the others matters more
        }
      }
      process.exit(130);
    });
  }
}
