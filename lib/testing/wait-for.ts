/**
 * Polls `check` until it returns a truthy value (which is returned) or throws after `timeoutMs`.
 * Tests wait for conditions, never for fixed sleeps: a loaded 2-core machine is slow, not wrong.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 20, what = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await Bun.sleep(intervalMs);
  }
}
