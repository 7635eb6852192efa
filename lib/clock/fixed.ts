import type { Clock, Ids } from "./types.ts";

/** A clock that only moves when told to. */
export function createFixedClock(start = new Date("2026-11-25T10:00:00.000Z")): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

/** Ids `${prefix}-1`, `${prefix}-2`, …: readable in test failures. */
export function createSequentialIds(prefix = "id"): Ids {
  let n = 0;
  return { next: () => `${prefix}-${++n}` };
}
