/** SQLSTATE: five digits or capitals (23505 unique_violation, 22P02 invalid_text_representation). */
const sqlState = /^[0-9A-Z]{5}$/;

/**
 * The SQLSTATE of a PostgreSQL error, whichever client raised it: postgres.js and PGlite put it in
 * `code`; Bun.SQL puts it in `errno`, and its `code` names Bun's own class of failure
 * (ERR_POSTGRES_SERVER_ERROR for anything the server answered, ERR_POSTGRES_CONNECTION_CLOSED…).
 */
export function sqlStateOf(error: unknown): string | undefined {
  if (!error || typeof error !== "object") return undefined;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (typeof errno === "string" && sqlState.test(errno)) return errno;
  if (typeof code === "string" && sqlState.test(code)) return code;
  return undefined;
}
