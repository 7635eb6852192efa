export { claimEvent, enqueue } from "./enqueue.ts";
export { createOutboxRelay } from "./relay.ts";
export { outboxTable, processedEventsTable, type OutboxTable } from "./tables.ts";
