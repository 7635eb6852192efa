import type { Broker } from "../../lib/broker/index.ts";
import { readDeadLetter, redriven, redrivenOffsetOf, toKafkaRecord } from "../../lib/cloudevents/index.ts";
import { eventCatalog, isEventType, topics } from "../../lib/events/index.ts";
import type { Logger } from "../../lib/log/index.ts";
import { idleTimer } from "./idle-timer.ts";

export type ReplayOptions = {
  broker: Broker;
  /** Only the dead letters of this subscriber; each service filter has its own progress. */
  service?: string;
  /** Stop after this long without a new dead letter. */
  idleMs?: number;
  /** Hears of the dead letters left alone. */
  log: Logger;
};

export type ReplayResult = { replayed: number; skipped: number };

/**
 * Puts dead-lettered events back on their topics, once the cause is fixed (a service was down for
 * too long, a bug was deployed and fixed). Every subscriber of the topic sees the event again;
 * those that had handled it answer "duplicate", so replaying is safe. Progress is a consumer
 * group: a dead letter is replayed once, and a second run picks up only newer ones.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const { broker, service, idleMs = 2_000, log } = options;
  const result: ReplayResult = { replayed: 0, skipped: 0 };
  const timer = idleTimer(idleMs);

  const subscription = await broker.subscribe({
    group: `dead-letter-replay.${service ?? "all"}`,
    topics: [topics.deadLetter.name],
    handle: async (records) => {
      timer.restart();
      for (const record of records) {
        // A redrive's marker (dead-letter-cli.ts): no event to replay.
        if (redrivenOffsetOf(record) !== undefined) continue;
        const letter = readDeadLetter(record);
        if (service && letter.service !== service) continue;
        const { event } = letter;
        if (!event || !isEventType(event.type)) {
          result.skipped++;
          log.warn({ partition: record.partition, offset: String(record.offset) }, "replay: a dead letter is not an event of the flow; left alone");
          continue;
        }
        await broker.publish([redriven(toKafkaRecord(eventCatalog[event.type].topic, letter.key, event), [letter.service])]);
        result.replayed++;
      }
      timer.restart();
    },
  });
  timer.restart();
  await timer.idle;
  await subscription.close();
  return result;
}
