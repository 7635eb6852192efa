export { createMemoryIdempotencyStore } from "./memory.ts";
export { createRedisIdempotencyStore, type RedisIdempotencyOptions } from "./redis.ts";
export { RECOVERED_MESSAGE, UNREACHABLE_MESSAGE, withFallback } from "./resilient.ts";
export type { ClaimAnswer, ClaimToken, IdempotencyStore, KeyState, Settlement } from "./types.ts";
export { createUpstashIdempotencyStore, type UpstashIdempotencyOptions } from "./upstash.ts";
