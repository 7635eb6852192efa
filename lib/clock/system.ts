import type { Clock, Ids } from "./types.ts";

export const systemClock: Clock = { now: () => new Date() };

/** UUIDv7: time-ordered, so ids sort by creation and index well. */
export const uuidV7Ids: Ids = { next: () => Bun.randomUUIDv7() };
