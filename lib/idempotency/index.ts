export { type IdempotencyStore, type KeyState } from "./types.ts";
export { createMemoryIdempotencyStore } from "./memory.ts";
export { createRedisIdempotencyStore, type RedisIdempotencyOptions } from "./redis.ts";
export { createUpstashIdempotencyStore, type UpstashIdempotencyOptions } from "./upstash.ts";
export { RECOVERED_MESSAGE, UNREACHABLE_MESSAGE, withFallback } from "./resilient.ts";
