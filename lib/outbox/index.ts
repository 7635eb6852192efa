export { claimEvent, claimEvents, claimKey, enqueue } from "./enqueue.ts";
export { createOutboxRelay } from "./relay.ts";
export { outboxTable, type OutboxTable, processedEventsTable } from "./tables.ts";
