import { AppError } from "../errors/index.ts";
import { assertTtl } from "./errors.ts";
import { newClaimToken } from "./token.ts";
import type { ClaimToken, IdempotencyStore, KeyState } from "./types.ts";

/**
 * Both Redis adapters (TCP and REST) store the same values, so services using either dedupe together:
 * `claimed:<token>` while a delivery holds the key, `done` once its work is committed.
 */
export const CLAIMED = "claimed" satisfies KeyState;
export const DONE = "done" satisfies KeyState;

export const DEFAULT_PREFIX = "idempotency:";

export function claimedBy(token: ClaimToken): string {
  return `${CLAIMED}:${token}`;
}

/*
 * The compare-and-set scripts: GET and the write run inside one script, and Redis runs a script
 * without interleaving other commands, so no other claim can land between the check and the write.
 * (Redis 8.4 has `DELEX key IFEQ` and `SET ... IFEQ` for this; we support 7.x.) Both answer 1 when
 * they acted, 0 when the key no longer holds ARGV[1].
 */

/** KEYS[1] key, ARGV[1] `claimed:<token>`. */
export const RELEASE_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

/** KEYS[1] key, ARGV[1] `claimed:<token>`, ARGV[2] `done`, ARGV[3] TTL in ms. */
export const DONE_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3]) return 1 end return 0`;

export function acted(reply: unknown): boolean {
  return Number(reply) === 1;
}

export function toKeyState(raw: unknown): KeyState | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (raw === DONE) return DONE;
  // A bare "claimed" is a claim written before claims had owners: nobody can release it, it expires.
  if (raw === CLAIMED || (typeof raw === "string" && raw.startsWith(`${CLAIMED}:`))) return CLAIMED;
  // Someone else wrote under our prefix: answering "absent" could run the work twice, "done" could skip it.
  throw new AppError("idempotency.unexpected_value", `unexpected value under an idempotency key: ${String(raw).slice(0, 40)}`);
}

/** The three Redis commands the store needs, over whichever transport (TCP or REST) an adapter has. */
export type RedisCommands = {
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<unknown>;
  evalScript(script: string, key: string, args: string[]): Promise<unknown>;
  get(key: string): Promise<unknown>;
};

/** The store's semantics, written once for both Redis adapters: they differ only in transport. */
export function keyedStore(commands: RedisCommands, prefix: string): Omit<IdempotencyStore, "close"> {
  return {
    async claim(key, ttlMs) {
      assertTtl(ttlMs);
      const token = newClaimToken();
      return (await commands.setIfAbsent(prefix + key, claimedBy(token), ttlMs)) === "OK" ? token : undefined;
    },
    async markDone(key, token, ttlMs) {
      assertTtl(ttlMs);
      return acted(await commands.evalScript(DONE_IF_HELD, prefix + key, [claimedBy(token), DONE, String(ttlMs)]));
    },
    async release(key, token) {
      return acted(await commands.evalScript(RELEASE_IF_HELD, prefix + key, [claimedBy(token)]));
    },
    async get(key) {
      return toKeyState(await commands.get(prefix + key));
    },
  };
}
