import type { Broker } from "../../lib/broker/index.ts";
import { readDeadLetter, redrivenOffsetOf } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { Parking } from "./parking.ts";

/**
 * The orders each subscriber has parked, as the dead-letters topic says: an order is parked for a
 * subscriber while one of its events waits there for a redrive (no marker names it). Read once at
 * start, so a restarted dispatcher keeps parking the later events of those orders; from then on
 * the dispatcher itself parks and unparks (parking.ts).
 */
export async function parkedOrders(broker: Broker, services: string[]): Promise<Map<string, Parking>> {
  const records = await broker.readAll(topics.deadLetter.name);
  const redriven = new Set(records.map(redrivenOffsetOf).filter((offset) => offset !== undefined));
  const parked = new Map(services.map((service) => [service, new Parking()]));
  for (const record of records) {
    if (redrivenOffsetOf(record) !== undefined || redriven.has(record.offset)) continue;
    const letter = readDeadLetter(record);
    // The first waiting letter of an order is the one it is parked behind.
    if (letter.event) parked.get(letter.service)?.park(letter.key, letter.event.id);
  }
  return parked;
}
