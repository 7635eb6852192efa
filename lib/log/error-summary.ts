import { sqlStateOf } from "../errors/index.ts";

/**
 * What a log line may say about an error. A whole error can carry what must never be logged: a
 * failed query's error (drizzle's DrizzleQueryError) puts every parameter in its message (an
 * address, a card token, a whole event in the outbox row), and PostgreSQL's `detail` quotes the
 * failing row. So only this is kept: the class of each error of the cause chain, our AppError
 * code, PostgreSQL's SQLSTATE and message (a quoted value cut out), the names of the constraint and
 * table, and the outermost error's stack frames without its message.
 */
export type ErrorSummary = {
  /** The class of each error of the chain, outermost first. */
  type: string;
  /** Our AppError code (lib/errors), the first one in the chain. */
  code?: string;
  /** Left out when the chain holds a failed query: its message quotes the query's values. */
  message?: string;
  database?: { code: string; message: string; constraint?: string; table?: string };
  /** The frames of the outermost error; its first line (the message) is cut off. */
  stack?: string;
};

const maxChain = 5;
const maxFrames = 10;
const maxMessage = 300;
/**
 * PostgreSQL quotes the offending value in a few messages (`invalid input syntax for type uuid:
 * "…"`, `value "…" is out of range`); identifiers (`constraint "orders_pkey"`) are kept.
 */
const quotedValue = /(: |value )"(?:[^"]|"")*"/g;

type ErrorLike = Error & Record<string, unknown>;

export function errorSummary(error: unknown): ErrorSummary {
  const chain = causesOf(error);
  if (chain.length === 0) return { type: typeof error };
  const outermost = chain[0]!;
  const database = chain.find(isDatabaseError);
  const appError = chain.find((e) => e.name === "AppError" && typeof e.code === "string");
  return {
    type: chain.map(typeOf).join(" ← "),
    ...(appError ? { code: appError.code as string } : {}),
    // An outer message may repeat the query's (AppError wraps "…: " + cause.message), so none is kept.
    ...(chain.some(carriesQuery) ? {} : { message: clip(outermost.message) }),
    ...(database ? { database: databaseSummary(database) } : {}),
    ...(outermost.stack ? { stack: framesOf(outermost) } : {}),
  };
}

function causesOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let at = error; at instanceof Error && chain.length < maxChain && !chain.includes(at as ErrorLike); at = at.cause) chain.push(at as ErrorLike);
  return chain;
}

function typeOf(error: ErrorLike): string {
  const constructorName = error.constructor?.name ?? "";
  // Bundled drivers minify their class names (PGlite's database error is "O").
  return constructorName.length > 2 && constructorName !== "Error" ? constructorName : error.name;
}

function isDatabaseError(error: ErrorLike): boolean {
  return sqlStateOf(error) !== undefined;
}

/** drizzle's query error, postgres.js' and PGlite's errors hold the query and its parameters. */
function carriesQuery(error: ErrorLike): boolean {
  return "params" in error || "parameters" in error || "query" in error;
}

function databaseSummary(error: ErrorLike): NonNullable<ErrorSummary["database"]> {
  const name = (...keys: string[]) => keys.map((key) => error[key]).find((value): value is string => typeof value === "string" && value !== "");
  const constraint = name("constraint", "constraint_name");
  const table = name("table", "table_name");
  return {
    code: sqlStateOf(error)!,
    message: clip(error.message.replace(quotedValue, '$1"…"')),
    ...(constraint ? { constraint } : {}),
    ...(table ? { table } : {}),
  };
}

function framesOf(error: ErrorLike): string {
  // The message comes first and may span lines (drizzle's does): frames are looked for after it.
  const stack = error.stack ?? "";
  const messageAt = error.message ? stack.indexOf(error.message) : -1;
  return (messageAt < 0 ? stack : stack.slice(messageAt + error.message.length))
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, maxFrames)
    .map((line) => line.trim())
    .join("\n");
}

const clip = (text: string) => (text.length > maxMessage ? `${text.slice(0, maxMessage)}…` : text);
