import { type ValidCloudEvent, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { engineConfigFromEnv, openBroker } from "../../lib/engines/index.ts";
import { newEvent } from "../../lib/events/index.ts";
import { createLogger } from "../../lib/log/index.ts";
import { testAddress } from "../../lib/testing/index.ts";
import type { Cluster } from "./cluster.ts";

export type PoisonKind = "refused" | "failing";
export type Poison = { kind: PoisonKind; event: ValidCloudEvent; key: string };

/**
 * Poison order.created events, written straight to the topic as anyone with write access could:
 * - refused: `data` fails the schema (a negative total), so every subscriber answers 422;
 * - failing: a valid event for an order nobody placed, which the scenario's proxy makes its
 *   subscribers fail on (500) every time, as a handler with a bug would.
 */
export function makePoison(index: number, kind: PoisonKind): Poison {
  const orderId = `poison-${kind}-${index}-${crypto.randomUUID().slice(0, 8)}`;
  const data = {
    orderId,
    userId: "poisoner",
    items: [{ productId: "fault-p0", quantity: 1, unitPrice: 500 }],
    totalAmount: 500,
    currency: "JPY",
    shippingAddress: testAddress,
    payment: { method: "credit_card" as const, token: "tok_visa" },
  };
  const event = newEvent("com.example.order.created", data, { id: crypto.randomUUID(), time: new Date(), correlationid: orderId });
  if (kind === "failing") return { kind, event, key: orderId };
  // Forged on purpose: the brand says valid, the data is not (no producer of ours would write it).
  const broken = { ...event, data: { ...data, totalAmount: -1 } } as unknown as ValidCloudEvent;
  return { kind, event: broken, key: orderId };
}

/** A producer on the cluster's namespace, as the relay publishes. */
export async function openPublisher(cluster: Cluster) {
  const broker = await openBroker(engineConfigFromEnv(cluster.env), createLogger({ name: "faults", level: "warn" }), "orderflow-faults");
  return {
    publish: (poison: Poison[]) => broker.publish(poison.map((p) => toKafkaRecord("order-events", p.key, p.event))),
    close: () => broker.close(),
  };
}

export type DeadLetterView = { eventId?: string; service: string; status?: number; attempts?: number; reason?: string };

/** The dead letters waiting for a redrive, as the operator's command lists them. */
export async function listDeadLetters(cluster: Cluster): Promise<DeadLetterView[]> {
  const { code, output } = await cluster.children.run(["dead-letters", "list"], { LOG_LEVEL: "warn" });
  if (code !== 0) throw new Error(`dead-letters list exited with ${code}: ${output.slice(-500)}`);
  const start = output.indexOf("[");
  return JSON.parse(output.slice(start)) as DeadLetterView[];
}
