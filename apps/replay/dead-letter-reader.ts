import type { Broker } from "../../lib/broker/index.ts";
import { type DeadLetter, readDeadLetter, redrivenOffsetOf } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";

/** A dead letter and where it sits on the dead-letters topic (its one partition). */
export type StoredDeadLetter = { offset: bigint; letter: DeadLetter };

export type DeadLetterTopic = { letters: StoredDeadLetter[]; redriven: Set<bigint> };

/**
 * Reads the whole dead-letters topic as it is now, and changes nothing there: no consumer group
 * moves (broker.readAll), so any number of readers (a listing, a redrive, a dispatcher starting)
 * may read at once.
 */
export async function readDeadLetterTopic(broker: Broker): Promise<DeadLetterTopic> {
  const read: DeadLetterTopic = { letters: [], redriven: new Set() };
  for (const record of await broker.readAll(topics.deadLetter.name)) {
    const redriven = redrivenOffsetOf(record);
    if (redriven === undefined) read.letters.push({ offset: record.offset, letter: readDeadLetter(record) });
    else read.redriven.add(redriven);
  }
  return read;
}
