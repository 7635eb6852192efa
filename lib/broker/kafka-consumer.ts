import { ConnectionPool, Consumer } from "@platformatic/kafka";
import type { AppError } from "../errors/index.ts";
import { KafkaErrorCode, toAppError } from "./kafka-errors.ts";
import { fetchBatches, type PartitionBatch, partitionKey, type Position, resolvePositions } from "./kafka-fetch.ts";
import { clientTuning, connectionTuning, createBackoff, createWaker, settleWithin } from "./kafka-support.ts";
import type { SubscribeOptions, Subscription } from "./types.ts";

export type KafkaSubscriptionOptions = SubscribeOptions & {
  brokers: string[];
  clientId: string;
  onError: (error: AppError) => void;
};

const groupTuning = {
  // Heartbeats run on a timer, independent of handlers: 1 s makes a joining or leaving member
  // noticed within about a second, for one tiny request per second.
  heartbeatInterval: 1_000,
  sessionTimeout: 20_000,
  // How long the coordinator waits for every member to rejoin; the revocation hook below must
  // finish well within it, or this member is dropped from the group.
  rebalanceTimeout: 30_000,
  // Only times the "heartbeat stalled" event, which nothing here listens to. The library arms this
  // timer again when close() interrupts a rejoin (2.12.1), and a long one keeps the process alive.
  heartbeatStallTimeout: 3_000,
};
/** How long a rebalance waits for the batches in flight to finish and commit. */
const revokeWaitMs = 15_000;
/** A member without a group for this long asks to join again (the library gives up after its retries). */
const rejoinAfterMs = groupTuning.rebalanceTimeout + 5_000;
const defaultMaxBatch = 500;

/**
 * One consumer-group member running its own fetch loop: fetch, hand each partition's records to
 * `handle` (partitions in parallel, each in offset order), commit what was handled, fetch again.
 * Positions live here, not in the library's stream, so that a failed batch is simply fetched
 * again from the same offset after a per-partition backoff.
 *
 * Rebalances (classic, eager protocol): the library calls `protocolsMetadata` before every
 * JoinGroup. That hook stops new fetches and waits for the batch in flight to be handled and
 * committed, so the next owner of a revoked partition starts after it instead of repeating it.
 * Every join then re-reads the committed offsets of the new assignment.
 */
export async function createKafkaSubscription(options: KafkaSubscriptionOptions): Promise<Subscription> {
  const { group, topics, handle, onError, clientId } = options;
  const maxBatch = Math.max(1, options.maxBatch ?? defaultMaxBatch);
  const fromBeginning = options.fromBeginning ?? true;
  const waker = createWaker();
  const backoff = createBackoff();
  let positions: Map<string, Position> | undefined;
  let generation = 0;
  let revoking = false;
  let committing = false;
  let closing = false;
  let inFlight: Promise<void> | undefined;

  const consumer = new Consumer({
    ...clientTuning,
    ...groupTuning,
    clientId,
    bootstrapBrokers: options.brokers,
    groupId: group,
    autocommit: false,
    protocolsMetadata: async () => {
      // A commit that hits a rebalance rejoins from inside the batch in flight: waiting for that
      // batch here would wait for ourselves.
      if (committing) return Buffer.alloc(0);
      revoking = true;
      waker.wake();
      await settleWithin(inFlight, revokeWaitMs);
      return Buffer.alloc(0);
    },
  });
  consumer.on("error", (error: unknown) => {
    // A rejoin cut short by close() is expected, not news.
    if (!closing) onError(toAppError(error, KafkaErrorCode.consumeFailed, `group ${group}`));
  });
  consumer.on("consumer:group:join", () => {
    revoking = false;
    positions = undefined;
    backoff.clear();
    generation++;
    waker.wake();
  });
  const fetchPool = new ConnectionPool(clientId, connectionTuning);

  consumer.topics.trackAll(...topics);
  try {
    await consumer.joinGroup({});
  } catch (error) {
    await consumer.close(true).catch(() => {});
    await fetchPool.close().catch(() => {});
    throw toAppError(error, KafkaErrorCode.subscribeFailed, `cannot join group ${group} for ${topics.join(", ")}`);
  }

  /** Hands one partition's records over in chunks of maxBatch; stops at the first failure. */
  async function handlePartition({ position, records, next }: PartitionBatch): Promise<boolean> {
    const start = position.offset;
    for (let i = 0; i < records.length; i += maxBatch) {
      // A rebalance or close waits for us: stop here, commit what is done, leave the rest.
      if (revoking || closing) return position.offset > start;
      const chunk = records.slice(i, i + maxBatch);
      try {
        await handle(chunk);
      } catch {
        // The handler owns its errors (it can log them); here they only mean "again, later".
        backoff.failed(partitionKey(position.topic, position.partition));
        return position.offset > start;
      }
      position.offset = (chunk.at(-1)?.offset ?? position.offset) + 1n;
      backoff.succeeded(partitionKey(position.topic, position.partition));
    }
    position.offset = next; // past trailing transaction markers too
    return position.offset > start;
  }

  async function step() {
    const seen = generation;
    if (!positions) {
      const resolved = await resolvePositions(consumer, consumer.assignments ?? [], fromBeginning);
      if (seen !== generation) return; // reassigned meanwhile: these belong to the old assignment
      positions = resolved;
    }
    const now = Date.now();
    const ready = [...positions.values()].filter((p) => !backoff.isWaiting(partitionKey(p.topic, p.partition), now));
    if (ready.length === 0) {
      await waker.sleep(Math.max(backoff.nextRetry(now, 200) - now, 10));
      return;
    }
    const batches = await fetchBatches(consumer, fetchPool, ready, fromBeginning);
    // Fetched during a rebalance: leave the records to whoever owns the partition next.
    if (revoking || closing || seen !== generation) return;
    const advanced = await Promise.all(batches.map(async (b) => ((await handlePartition(b)) ? b.position : undefined)));
    const offsets = advanced.filter((p) => p !== undefined).map((p) => ({ ...p, leaderEpoch: -1 }));
    if (offsets.length === 0) return;
    committing = true;
    try {
      await consumer.commit({ offsets });
    } finally {
      committing = false;
    }
  }

  async function run() {
    let failures = 0;
    let groupless = 0;
    while (!closing) {
      if (revoking || !consumer.assignments?.length) {
        groupless = consumer.isActive() ? 0 : groupless || Date.now();
        if (groupless && Date.now() - groupless > rejoinAfterMs) {
          groupless = 0;
          consumer.joinGroup({}).catch((error: unknown) => onError(toAppError(error, KafkaErrorCode.subscribeFailed, `rejoining ${group}`)));
        }
        await waker.sleep(200);
        continue;
      }
      inFlight = step();
      try {
        await inFlight;
        failures = 0;
      } catch (error) {
        // A failed fetch or commit: handled records stay uncommitted and may come again.
        onError(toAppError(error, KafkaErrorCode.consumeFailed, `group ${group}`));
        positions = undefined;
        await waker.sleep(Math.min(200 * 2 ** failures++, 5_000));
      } finally {
        inFlight = undefined;
      }
    }
  }

  const loop = run();
  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        closing = true;
        waker.wake();
        await loop;
        // Leaving (rather than timing out) lets the other members take the partitions at once.
        await consumer.close().catch((error: unknown) => onError(toAppError(error, KafkaErrorCode.consumeFailed, `leaving group ${group}`)));
        await fetchPool.close().catch(() => {});
      })();
      return closed;
    },
  };
}
