/**
 * A sleep that `wake()` cuts short, for one loop: it idles without delaying close, a rebalance or
 * new records. A wake while the loop is busy is kept, so the next sleep returns at once and a
 * change that came in between is never slept through.
 */
export function createWaker() {
  let wakeUp: (() => void) | undefined;
  let pending = false;
  return {
    wake() {
      if (wakeUp) wakeUp();
      else pending = true;
    },
    /** Until woken, or `ms` passed when given. */
    sleep(ms?: number): Promise<void> {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          if (wakeUp === done) wakeUp = undefined;
          resolve();
        };
        const timer = ms === undefined ? undefined : setTimeout(done, ms);
        wakeUp = done;
      });
    },
  };
}

export type Waker = ReturnType<typeof createWaker>;

/** Waits until `work` settles or `ms` pass, whichever is first; never rejects. */
export async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
