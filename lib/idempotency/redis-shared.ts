import { AppError } from "../errors/index.ts";
import { assertTtl } from "./errors.ts";
import { newClaimToken } from "./token.ts";
import { CLAIM_MANY, DONE_IF_HELD, RELEASE_IF_HELD, SETTLE_MANY } from "./redis-scripts.ts";
import type { ClaimAnswer, ClaimToken, IdempotencyStore, KeyState } from "./types.ts";

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

/**
 * The three Redis commands the store needs, over whichever transport (TCP or REST) an adapter has.
 * `operation` names the store's operation in the error when the store cannot be reached.
 */
export type RedisCommands = {
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<unknown>;
  evalScript(operation: string, script: string, keys: string[], args: string[]): Promise<unknown>;
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
      return acted(await commands.evalScript("compare-and-set", DONE_IF_HELD, [prefix + key], [claimedBy(token), DONE, String(ttlMs)]));
    },
    async release(key, token) {
      return acted(await commands.evalScript("compare-and-set", RELEASE_IF_HELD, [prefix + key], [claimedBy(token)]));
    },
    async get(key) {
      return toKeyState(await commands.get(prefix + key));
    },
    async claimMany(keys, ttlMs) {
      assertTtl(ttlMs);
      const distinct = [...new Set(keys)];
      if (distinct.length === 0) return new Map();
      const tokens = distinct.map(() => newClaimToken());
      const args = [String(ttlMs), CLAIMED, DONE, ...tokens.map(claimedBy)];
      const replies = repliesFor("claimMany", await commands.evalScript("claimMany", CLAIM_MANY, distinct.map((key) => prefix + key), args), distinct.length);
      // A number is 1 (claimed now) or 0 (left free: only beside a foreign value, which toKeyState
      // refuses, and for which the script claimed nothing). Anything else is what the key held.
      const found = replies.map((reply) => (typeof reply === "number" ? reply : toKeyState(reply)));
      return new Map(distinct.map((key, i): [string, ClaimAnswer] => [key, answerOf(found[i], tokens[i]!)]));
    },
    async settleMany(settlements, doneTtlMs) {
      assertTtl(doneTtlMs);
      if (settlements.length === 0) return [];
      const keys = settlements.map(({ key }) => prefix + key);
      const args = [String(doneTtlMs), DONE, ...settlements.flatMap(({ token, done }) => [claimedBy(token), done ? "1" : "0"])];
      return repliesFor("settleMany", await commands.evalScript("settleMany", SETTLE_MANY, keys, args), settlements.length).map(acted);
    },
  };
}

function answerOf(found: number | KeyState | undefined, token: ClaimToken): ClaimAnswer {
  if (found === 1) return { outcome: "claimed", token };
  if (found === DONE) return { outcome: "done" };
  return { outcome: "held" };
}

/** A script's reply: one entry per key, or the server is not running our script. */
function repliesFor(operation: string, reply: unknown, count: number): unknown[] {
  if (Array.isArray(reply) && reply.length === count) return reply;
  throw new AppError("idempotency.unexpected_reply", `${operation}: expected ${count} answers, got ${String(reply).slice(0, 40)}`);
}
