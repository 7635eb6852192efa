import type { Stage } from "../measure/stages.ts";

/**
 * What lies on the path from the 202 to each step, in order (docs/architecture.md#delivery-path):
 * Kafka appends (acks=all) the relay makes, and durable writes the services make one after the
 * other. paid: order.created appended; payment records its intent, the gateway its charge, payment
 * the outcome (3). reserved: payment.completed appended; inventory's transaction (1). shipped:
 * stock.reserved appended; shipping's (1). notified: shipment.created appended; notification
 * claims the send, the notifier records it (fdatasync), notification marks it sent (3).
 */
export const stagePath: Record<Stage, { kafkaAppends: number; durableWrites: number }> = {
  paid: { kafkaAppends: 1, durableWrites: 3 },
  reserved: { kafkaAppends: 2, durableWrites: 4 },
  shipped: { kafkaAppends: 3, durableWrites: 5 },
  notified: { kafkaAppends: 4, durableWrites: 8 },
};

/**
 * The least a step can take on these engines when nothing queues: each append at Kafka's p50 at a
 * low rate (its own perf tool), each durable write at the p50 of one handler transaction with one
 * pgbench client. HTTP hops and the services' own CPU are not in it: the rest of the time is theirs.
 */
export function stageFloorMs(stage: Stage, kafkaAppendMs: number, transactionMs: number): number {
  const { kafkaAppends, durableWrites } = stagePath[stage];
  return kafkaAppends * kafkaAppendMs + durableWrites * transactionMs;
}
