import { sql } from "drizzle-orm";
import fc from "fast-check";
import { type Db, rowsOf } from "../../lib/db/index.ts";
import { testSigner } from "../../lib/testing/index.ts";
import { subscriptions } from "../roster.ts";
import { batchPush, binaryPush, type RawPush, requestOf, signedPush, structuredPush } from "./raw-push.ts";

type Json = Record<string, unknown>;

/** Genuine events, already delivered by the dispatcher, as one service received them. */
export type Delivered = { service: string; events: Json[] };

/**
 * Every event the honest orders produced (read back from each service's outbox), as pushes to each
 * subscriber: one push per event, and one per order and subscriber with all of its events in order.
 */
export async function deliveredEvents(db: Db, tables: readonly string[]): Promise<Delivered[]> {
  const events: Json[] = [];
  for (const table of tables.filter((name) => name.endsWith(".outbox"))) {
    const [schema, name] = table.split(".");
    events.push(...rowsOf<{ event: Json }>(await db.execute(sql.raw(`select event from "${schema}"."${name}" order by id`))).map((row) => row.event));
  }
  const delivered: Delivered[] = [];
  for (const { service, types } of subscriptions) {
    const mine = events.filter((event) => (types as readonly unknown[]).includes(event.type));
    delivered.push(...mine.map((event) => ({ service, events: [event] })));
    for (const group of Map.groupBy(mine, (event) => String(event.correlationid)).values()) if (group.length > 1) delivered.push({ service, events: group });
  }
  return delivered;
}

export type ReplayStyle =
  | "an exact copy"
  | "an exact copy, several at once"
  | "a redelivery (same webhook-id, signed again)"
  | "the same events under a new webhook-id"
  | "the same events in another content mode"
  | "an exact copy with another Content-Type";

export type ReplayInput = { index: number; style: ReplayStyle; times: number; binary: boolean; contentType: string };

export function replayInput(count: number): fc.Arbitrary<ReplayInput> {
  return fc.record({
    index: fc.integer({ min: 0, max: Math.max(0, count - 1) }),
    style: fc.constantFrom<ReplayStyle>(
      "an exact copy",
      "an exact copy, several at once",
      "a redelivery (same webhook-id, signed again)",
      "the same events under a new webhook-id",
      "the same events in another content mode",
      "an exact copy with another Content-Type",
    ),
    times: fc.integer({ min: 2, max: 4 }),
    binary: fc.boolean(),
    contentType: fc.constantFrom("application/cloudevents+json", "application/json", "text/plain", "application/cloudevents+xml"),
  });
}

/** Signed originals, each sent once when made; re-made before they would go stale, so a copy tests duplicates, not the clock. */
export function replayPool(delivered: readonly Delivered[], maxAgeMs = 4 * 60_000) {
  const originals = new Map<number, { push: RawPush; id: string; at: number }>();
  return {
    async original(index: number, send: (request: Request) => Promise<Response>) {
      const kept = originals.get(index);
      if (kept && Date.now() - kept.at < maxAgeMs) return kept;
      const { service, events } = delivered[index]!;
      const id = `msg_replay_${index}_${crypto.randomUUID()}`;
      const made = { push: signedPush(batchPush(service, events), testSigner, id), id, at: Date.now() };
      originals.set(index, made);
      await (await send(requestOf(made.push))).arrayBuffer();
      return made;
    },
  };
}

/** The requests a replay of `style` sends (several for "several at once"). */
export function replayRequests(input: ReplayInput, delivered: Delivered, original: { push: RawPush; id: string }): Request[] {
  const { service, events } = delivered;
  switch (input.style) {
    case "an exact copy":
      return [requestOf(original.push)];
    case "an exact copy, several at once":
      return Array.from({ length: input.times }, () => requestOf(original.push));
    case "a redelivery (same webhook-id, signed again)":
      return [requestOf(signedPush(batchPush(service, events), testSigner, original.id))];
    case "the same events under a new webhook-id":
      return [requestOf(signedPush(batchPush(service, events), testSigner, `msg_${crypto.randomUUID()}`))];
    case "the same events in another content mode": {
      const one = events.length === 1 ? (input.binary ? binaryPush(service, events[0]!) : structuredPush(service, events[0]!)) : batchPush(service, events);
      return [requestOf(signedPush(one, testSigner, `msg_${crypto.randomUUID()}`))];
    }
    case "an exact copy with another Content-Type":
      return [requestOf({ ...original.push, headers: { ...original.push.headers, "content-type": input.contentType } })];
    default:
      return input.style satisfies never;
  }
}
