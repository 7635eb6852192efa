/** A connection of the pool held for one caller: postgres.js' and Bun.SQL's `reserve()` both give one. */
type ReservedConnection = {
  (strings: TemplateStringsArray, ...values: string[]): Promise<unknown>;
  release(): void;
};

/**
 * Runs `work` holding a session-level advisory lock. Such a lock belongs to one connection for its
 * whole life, so one is reserved from the pool until the lock is given back.
 */
export async function holdingAdvisoryLock<T>(reserve: () => Promise<ReservedConnection>, lockName: string, work: () => Promise<T>): Promise<T> {
  const connection = await reserve();
  try {
    await connection`select pg_advisory_lock(hashtext(${lockName}))`;
    return await work();
  } finally {
    await connection`select pg_advisory_unlock(hashtext(${lockName}))`.catch(() => {});
    connection.release();
  }
}
