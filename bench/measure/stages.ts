import type { Placed } from "../load/client.ts";
import type { EffectTimes } from "../flow/types.ts";
import { type Summary, summarize } from "./stats.ts";

export const stages = ["paid", "reserved", "shipped", "notified"] as const;
export type Stage = (typeof stages)[number];
export type StageLatencies = Record<Stage, Summary>;

/**
 * 202 → each step, per order that went all the way (shipped and told so): the step's effect time
 * (EffectTimes) minus the moment the load generator had its 202. Declined orders stop at payment
 * and are left out, so every stage is measured over the same orders.
 */
export function stageLatencies(placed: Placed[], effects: Map<string, EffectTimes>): StageLatencies {
  const samples: Record<Stage, number[]> = { paid: [], reserved: [], shipped: [], notified: [] };
  for (const order of placed) {
    const times = effects.get(order.orderId);
    if (!times || stages.some((stage) => times[stage] === undefined)) continue;
    for (const stage of stages) samples[stage].push(Math.max(0, times[stage]! - order.acceptedAt));
  }
  return Object.fromEntries(stages.map((stage) => [stage, summarize(samples[stage])])) as StageLatencies;
}

/** The hops of an order's path, in order: each a relay publishing or a delivery and its handling. */
export const hops = [
  { name: "202 → order.created published (relay)", from: "accepted", to: "created" },
  { name: "→ paid (dispatcher → payment: intent, charge, outcome)", from: "created", to: "paid" },
  { name: "→ payment.completed published (relay)", from: "paid", to: "paidOut" },
  { name: "→ reserved (dispatcher → inventory)", from: "paidOut", to: "reserved" },
  { name: "→ stock.reserved published (relay)", from: "reserved", to: "reservedOut" },
  { name: "→ shipped (dispatcher → shipping)", from: "reservedOut", to: "shipped" },
  { name: "→ shipment.created published (relay)", from: "shipped", to: "shippedOut" },
  { name: "→ notified (dispatcher → notification: claim, send, mark sent)", from: "shippedOut", to: "notified" },
] as const;

export type HopLatencies = Array<{ name: string; ms: Summary }>;

/** Where the 202 → notified time goes, hop by hop, over the orders that went all the way. */
export function hopLatencies(placed: Placed[], effects: Map<string, EffectTimes>): HopLatencies {
  const samples = hops.map(() => [] as number[]);
  for (const order of placed) {
    const t = effects.get(order.orderId);
    if (!t) continue;
    const at: Record<string, number | undefined> = {
      accepted: order.acceptedAt, created: t.published.created, paid: t.paid, paidOut: t.published.paid,
      reserved: t.reserved, reservedOut: t.published.reserved, shipped: t.shipped, shippedOut: t.published.shipped, notified: t.notified,
    };
    if (Object.values(at).some((v) => v === undefined)) continue;
    hops.forEach((hop, i) => samples[i]!.push(at[hop.to]! - at[hop.from]!));
  }
  return hops.map((hop, i) => ({ name: hop.name, ms: summarize(samples[i]!) }));
}
