export type { IdempotencyStore, KeyState } from "./types.ts";
export { createMemoryIdempotencyStore } from "./memory.ts";
export { createRedisIdempotencyStore, type RedisIdempotencyOptions } from "./redis.ts";
export { createUpstashIdempotencyStore, type UpstashIdempotencyOptions } from "./upstash.ts";
export { withFallback, UNREACHABLE_MESSAGE, RECOVERED_MESSAGE } from "./resilient.ts";
