import type { Broker } from "../../lib/broker/index.ts";
import { type KafkaRecord, redriven, redriveMarker, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { eventCatalog, isEventType, topics } from "../../lib/events/index.ts";
import type { Logger } from "../../lib/log/index.ts";
import { readDeadLetterTopic } from "./dead-letter-reader.ts";
import { type DeadLetterFilter, type DeadLetterView, matchesFilter, matchesSelection, type RedriveSelection, viewOf, waiting } from "./dead-letter-selection.ts";

/** The dead letters still waiting for a redrive, oldest first; reading them consumes nothing. */
export async function listDeadLetters(broker: Broker, filter: DeadLetterFilter = {}): Promise<DeadLetterView[]> {
  const found = waiting(await readDeadLetterTopic(broker)).filter((stored) => matchesFilter(stored, filter));
  return found.slice(0, filter.limit ?? found.length).map(viewOf);
}

export type RedriveResult = { redriven: number; published: number; skipped: number; eventIds: string[] };

/**
 * Puts the selected dead letters' events back on their original topics, with their original keys,
 * in the order they were dead-lettered; every subscriber of the topic sees them again, and those
 * that had handled one answer "duplicate". An event two subscribers gave up on goes out once.
 *
 * Then one marker per dead letter goes on dead-letters: a second redrive of the same selection
 * finds nothing waiting. The events go first: a crash in between publishes them again on the next
 * redrive (at least once, which the subscribers' idempotency absorbs), never loses one.
 */
export async function redrive(broker: Broker, selection: RedriveSelection, log: Logger): Promise<RedriveResult> {
  const selected = waiting(await readDeadLetterTopic(broker)).filter((stored) => matchesSelection(stored, selection));
  const result: RedriveResult = { redriven: 0, published: 0, skipped: 0, eventIds: [] };
  const events: { record: KafkaRecord; services: Set<string> }[] = [];
  const byId = new Map<string, Set<string>>();
  for (const { offset, letter } of selected) {
    const { event } = letter;
    if (!event || !isEventType(event.type)) {
      result.skipped++;
      log.warn({ deadLetterOffset: String(offset) }, "redrive: a dead letter is not an event of the flow; left alone");
      continue;
    }
    result.redriven++;
    const known = byId.get(event.id);
    if (known) {
      known.add(letter.service);
      continue;
    }
    const services = new Set([letter.service]);
    byId.set(event.id, services);
    events.push({ record: toKafkaRecord(letter.origin?.topic ?? eventCatalog[event.type].topic, letter.key, event), services });
    result.eventIds.push(event.id);
  }
  // Marked with the subscribers that gave up on each: their dispatchers unpark the order.
  await broker.publish(events.map(({ record, services }) => redriven(record, services)));
  result.published = events.length;
  const putBack = selected.filter(({ letter }) => letter.event && isEventType(letter.event.type));
  await broker.publish(putBack.map(({ offset, letter }) => redriveMarker(topics.deadLetter.name, letter.key, offset)));
  const described = Object.fromEntries(Object.entries(selection).map(([name, value]) => [name, String(value)]));
  log.info({ selection: described, ...result, eventIds: result.eventIds.slice(0, 20) }, "redrive: events back on their topics");
  return result;
}
