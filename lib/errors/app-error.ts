/**
 * Errors carry a stable `code` (checked by value, never by `instanceof` across packages), an HTTP
 * status for the edge, and the `cause` that led to them.
 */
export type ErrorIssue = { field: string; message: string };

export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: string;
  readonly status: number;
  readonly issues: ErrorIssue[];
  /** True when trying again later may succeed (network, timeout, busy). */
  readonly retryable: boolean;
  /** Headers the answer must carry (`Retry-After` with the real wait, `WWW-Authenticate`). */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message: string,
    options: { status?: number; issues?: ErrorIssue[]; retryable?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 500;
    this.issues = options.issues ?? [];
    this.retryable = options.retryable ?? false;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AppError";
}

export function hasCode(error: unknown, code: string): boolean {
  return isAppError(error) && error.code === code;
}
