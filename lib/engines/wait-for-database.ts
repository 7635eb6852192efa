import { sql } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { AppError, sqlStateOf } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";

/**
 * PostgreSQL answers that say "not now" rather than "never": the server is starting, recovering
 * after a crash, or shutting down (57P03, 57P01, 08xxx), or it is not listening yet. A supervisor
 * restarts the whole machine's processes together, so a service often starts before its database.
 */
const transientCodes = new Set([
  ...["57P03", "57P01", "57P02", "08000", "08001", "08003", "08004", "08006"],
  // postgres.js and the socket
  ...["ECONNREFUSED", "ECONNRESET", "CONNECTION_CLOSED", "CONNECT_TIMEOUT", "CONNECTION_ENDED"],
  // Bun.SQL
  ...["ERR_POSTGRES_CONNECTION_REFUSED", "ERR_POSTGRES_CONNECTION_CLOSED", "ERR_POSTGRES_CONNECTION_TIMEOUT"],
]);

/** The first SQLSTATE or client code along the cause chain. */
function codeOf(error: unknown): string | undefined {
  for (let current: unknown = error; current && typeof current === "object"; current = (current as { cause?: unknown }).cause) {
    const code = sqlStateOf(current) ?? (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export type WaitOptions = { timeoutMs?: number; sleep?: (ms: number) => Promise<void>; now?: () => number };

/**
 * `select 1` until PostgreSQL answers: transient failures are retried with backoff (logged) for
 * up to `timeoutMs`; anything else (a wrong password, a database that does not exist) fails at
 * once, so a wrong URL still stops the process at start-up.
 */
export async function waitForDatabase(database: Database, log: Logger, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, sleep = Bun.sleep, now = Date.now } = options;
  const deadline = now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await database.db.execute(sql`select 1`);
      return;
    } catch (error) {
      const code = codeOf(error);
      if (!code || !transientCodes.has(code) || now() >= deadline) {
        throw new AppError("db.unavailable", `PostgreSQL did not answer at start-up${code ? ` (${code})` : ""}`, { cause: error });
      }
      const waitMs = Math.min(5_000, 200 * 2 ** attempt);
      log.warn({ code, attempt: attempt + 1, waitMs }, "PostgreSQL not ready; waiting");
      await sleep(waitMs);
    }
  }
}
