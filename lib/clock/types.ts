/** Time and identity as ports, so tests can fix them and production can use the system's. */
export type Clock = { now(): Date };
export type Ids = { next(): string };
