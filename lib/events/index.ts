export * from "./catalog.ts";
export * from "./envelope.ts";
export * from "./inventory.ts";
export * from "./new-event.ts";
export * from "./order.ts";
export * from "./payment.ts";
export * from "./shipment.ts";
