export { createFixedClock, createSequentialIds } from "./fixed.ts";
export { systemClock, uuidV7Ids } from "./system.ts";
export type { Clock, Ids } from "./types.ts";
