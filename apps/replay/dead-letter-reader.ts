import type { Broker } from "../../lib/broker/index.ts";
import { type DeadLetter, readDeadLetter, redrivenOffsetOf } from "../../lib/cloudevents/index.ts";
import { topics } from "../../lib/events/index.ts";
import { idleTimer } from "./idle-timer.ts";

/** A dead letter and where it sits on the dead-letters topic (its one partition). */
export type StoredDeadLetter = { offset: bigint; letter: DeadLetter };

export type DeadLetterTopic = { letters: StoredDeadLetter[]; redriven: Set<bigint> };

/** The one group every read uses: a group per request would pile up groups without end. */
export const deadLetterReadGroup = "dead-letter-read";

/** One read at a time in this process: the group can have one member reading from the start. */
let reading: Promise<unknown> = Promise.resolve();

/**
 * Reads the whole dead-letters topic, from its first record until nothing new came for `idleMs`,
 * and changes nothing there. The broker port reads only through consumer groups, so every read
 * uses the one `dead-letter-read` group, moved back to the earliest record first; no group that
 * redrives or dispatches moves. A read running in another process at the same moment makes this
 * one fail with `broker.group_active` (try again).
 */
export function readDeadLetterTopic(broker: Broker, idleMs = 500): Promise<DeadLetterTopic> {
  const next = reading.then(() => readFromStart(broker, idleMs));
  reading = next.catch(() => {});
  return next;
}

async function readFromStart(broker: Broker, idleMs: number): Promise<DeadLetterTopic> {
  const read: DeadLetterTopic = { letters: [], redriven: new Set() };
  await broker.resetGroup(deadLetterReadGroup, [topics.deadLetter.name], { earliest: true });
  const timer = idleTimer(idleMs);
  const subscription = await broker.subscribe({
    group: deadLetterReadGroup,
    topics: [topics.deadLetter.name],
    fromBeginning: true,
    handle: async (records) => {
      timer.restart();
      for (const record of records) {
        const redriven = redrivenOffsetOf(record);
        if (redriven === undefined) read.letters.push({ offset: record.offset, letter: readDeadLetter(record) });
        else read.redriven.add(redriven);
      }
    },
  });
  timer.restart();
  await timer.idle;
  await subscription.close();
  return read;
}
