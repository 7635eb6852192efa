/**
 * Resolves `idle` once `restart` was not called for `idleMs`: how a reader of the dead-letters
 * topic, which never ends, decides it has read everything there is for now.
 */
export function idleTimer(idleMs: number): { restart(): void; idle: Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finish: () => void = () => {};
  const idle = new Promise<void>((resolve) => (finish = resolve));
  return {
    idle,
    restart() {
      clearTimeout(timer);
      timer = setTimeout(finish, idleMs);
    },
  };
}
