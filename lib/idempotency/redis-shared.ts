import { AppError } from "../errors/index.ts";
import type { KeyState } from "./types.ts";

/** Both Redis adapters (TCP and REST) store the same values, so services using either dedupe together. */
export const CLAIMED = "claimed" satisfies KeyState;
export const DONE = "done" satisfies KeyState;

export const DEFAULT_PREFIX = "idempotency:";

/**
 * Deletes the key only while it still holds "claimed". GET and DEL run inside one script, and Redis
 * runs a script without interleaving other commands, so a `markDone` cannot land between the check
 * and the delete. (Redis 8.4 `DELEX key IFEQ claimed` does the same in one command; we support 7.x.)
 */
export const RELEASE_IF_CLAIMED = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

export function toKeyState(raw: unknown): KeyState | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (raw === CLAIMED || raw === DONE) return raw;
  // Someone else wrote under our prefix: answering "absent" could run the work twice, "done" could skip it.
  throw new AppError("idempotency.unexpected_value", `unexpected value under an idempotency key: ${String(raw).slice(0, 40)}`);
}
