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
  setWithTtl(key: string, value: string, ttlMs: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  evalScript(operation: string, script: string, keys: string[], args: string[]): Promise<unknown>;
  get(key: string): Promise<unknown>;
};

/**
 * How long a process's claims outlive it: its liveness key lapses this long after its last claim
 * or heartbeat, and from then on its claims are free (CLAIM_MANY). Short, so that a redelivery
 * after a crash waits seconds, not the claim's 30 s; long enough that a busy event loop keeps it.
 * Taken over too early (a process paused for longer), two deliveries run at once and the
 * database's unique constraints decide, as they do after any lost claim.
 */
export const DEFAULT_OWNER_TTL_MS = 5_000;

export type KeyedStoreOptions = { ownerTtlMs?: number };

/** The liveness keys of claims' owners: `<prefix>owner:<owner>`. */
export function ownersPrefix(prefix: string): string {
  return `${prefix}owner:`;
}

/**
 * The store's semantics, written once for both Redis adapters: they differ only in transport. Its
 * claims are owned by this store (one per process): `claimed:<owner>.<random>`. Once it has claimed,
 * a heartbeat keeps the owner's liveness key; `close` stops it and drops the key, so that the claims
 * of a process shutting down are free at once.
 */
export function keyedStore(commands: RedisCommands, prefix: string, options: KeyedStoreOptions = {}): IdempotencyStore {
  const ownerTtlMs = options.ownerTtlMs ?? DEFAULT_OWNER_TTL_MS;
  assertTtl(ownerTtlMs);
  const owner = crypto.randomUUID().replaceAll("-", "");
  const ownerKey = ownersPrefix(prefix) + owner;
  let heartbeat: Timer | undefined;
  function beat() {
    // A failed beat is the next one's to make up: past the TTL the claims are free, which is safe.
    if (heartbeat) return;
    heartbeat = setInterval(() => void commands.setWithTtl(ownerKey, "alive", ownerTtlMs).catch(() => {}), Math.max(1, Math.floor(ownerTtlMs / 3)));
    // It must not keep a process alive that has nothing else to do.
    heartbeat.unref();
  }

  async function claimMany(keys: readonly string[], ttlMs: number): Promise<Map<string, ClaimAnswer>> {
    assertTtl(ttlMs);
    const distinct = [...new Set(keys)];
    if (distinct.length === 0) return new Map();
    const tokens = distinct.map(() => `${owner}.${newClaimToken()}`);
    const args = [String(ttlMs), CLAIMED, DONE, ownersPrefix(prefix), owner, String(ownerTtlMs), ...tokens.map(claimedBy)];
    const replies = repliesFor("claimMany", await commands.evalScript("claimMany", CLAIM_MANY, distinct.map((key) => prefix + key), args), distinct.length);
    // A number is 1 (claimed now) or 0 (left free: only beside a foreign value, which toKeyState
    // refuses, and for which the script claimed nothing). Anything else is what the key held.
    const found = replies.map((reply) => (typeof reply === "number" ? reply : toKeyState(reply)));
    if (found.includes(1)) beat();
    return new Map(distinct.map((key, i): [string, ClaimAnswer] => [key, answerOf(found[i], tokens[i]!)]));
  }

  return {
    async claim(key, ttlMs) {
      const answer = (await claimMany([key], ttlMs)).get(key);
      return answer?.outcome === "claimed" ? answer.token : undefined;
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
    claimMany,
    async settleMany(settlements, doneTtlMs) {
      assertTtl(doneTtlMs);
      if (settlements.length === 0) return [];
      const keys = settlements.map(({ key }) => prefix + key);
      const args = [String(doneTtlMs), DONE, ...settlements.flatMap(({ token, done }) => [claimedBy(token), done ? "1" : "0"])];
      return repliesFor("settleMany", await commands.evalScript("settleMany", SETTLE_MANY, keys, args), settlements.length).map(acted);
    },
    async close() {
      if (!heartbeat) return;
      clearInterval(heartbeat);
      heartbeat = undefined;
      await commands.del(ownerKey).catch(() => {});
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
