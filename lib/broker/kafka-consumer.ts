import { ConnectionPool, Consumer } from "@platformatic/kafka";
import type { AppError } from "../errors/index.ts";
import { KafkaAssignment } from "./kafka-assignment.ts";
import { KafkaErrorCode, toAppError } from "./kafka-errors.ts";
import { fetchBatches, resolvePositions } from "./kafka-fetch.ts";
import { clientTuning, connectionTuning } from "./kafka-support.ts";
import { revokeWaitMs } from "./partition-pipeline.ts";
import type { SubscribeOptions, Subscription } from "./types.ts";
import { createWaker } from "./waiting.ts";

export type KafkaSubscriptionOptions = SubscribeOptions & {
  brokers: string[];
  clientId: string;
  /** Static membership (kafka.ts, KafkaBrokerOptions.groupInstanceId); unset: dynamic. */
  groupInstanceId?: string;
  /** Kafka's session.timeout.ms; default groupTuning's. */
  sessionTimeoutMs?: number;
  onError: (error: AppError) => void;
};

const groupTuning = {
  // Heartbeats run on a timer, independent of handlers: 1 s makes a joining or leaving member
  // noticed within about a second, for one tiny request per second.
  heartbeatInterval: 1_000,
  sessionTimeout: 20_000,
  // How long the coordinator waits for every member to rejoin; the revocation hook below must
  // finish well within it (it waits at most revokeWaitMs), or this member is dropped from the group.
  rebalanceTimeout: 30_000,
  // Only times the "heartbeat stalled" event, which nothing here listens to. The library arms this
  // timer again when close() interrupts a rejoin (2.12.1), and a long one keeps the process alive.
  heartbeatStallTimeout: 3_000,
};
/** A member without a group for its rebalance timeout and this much more asks to join again (the library gives up after its retries). */
const rejoinGraceMs = 5_000;
const defaultMaxBatch = 500;
/**
 * Progress is committed at most this often while records flow (and always on revoke and close): a
 * commit per fetch was as many requests again as the fetches, the broker's busiest work under
 * load. A crash in between only delivers those records again, which every subscriber deduplicates.
 * A second, as Kafka's own consumers commit every 5 s by default: at 100 ms the five groups'
 * commits were about a third of the broker's CPU at 20 orders/s (its CPU per order 8.3 ms, at 1 s
 * 5.6–6.2 ms in three runs of four). When the records stop, the next long poll commits the rest.
 */
const commitEveryMs = 1_000;
const noMetadata = Buffer.alloc(0);

/**
 * One consumer-group member running its own fetch loop: fetch for the partitions that have room,
 * give the records to their pipelines (kafka-assignment.ts), commit the progress, fetch again. The
 * loop never waits for handlers, so a slow or failing partition holds back only itself.
 *
 * Rebalances (classic, eager protocol): the library calls `protocolsMetadata` before every
 * JoinGroup. That hook takes the assignment away: it aborts the signal of every batch in flight,
 * waits for them to settle (at most revokeWaitMs) and commits what finished, so the next owner of a
 * revoked partition starts after it and never runs beside it. Every join then re-reads the
 * committed offsets of the new assignment.
 */
export async function createKafkaSubscription(options: KafkaSubscriptionOptions): Promise<Subscription> {
  const { group, topics, handle, onError, clientId } = options;
  const maxBatch = Math.max(1, options.maxBatch ?? defaultMaxBatch);
  const maxInFlight = options.maxInFlight ?? maxBatch;
  const fromBeginning = options.fromBeginning ?? true;
  const waker = createWaker();
  /** Partitions whose batches outlived a revocation: not fetched again until those end. */
  const held = new Map<string, Promise<void>>();
  let assignment: KafkaAssignment | undefined;
  let revocation: Promise<void> = Promise.resolve();
  let generation = 0;
  let revoking = false;
  let inHook = false;
  let closing = false;
  const sessionTimeout = options.sessionTimeoutMs ?? groupTuning.sessionTimeout;
  // The library wants the rebalance timeout at least as long as the session's.
  const rebalanceTimeout = Math.max(groupTuning.rebalanceTimeout, sessionTimeout);
  const rejoinAfterMs = rebalanceTimeout + rejoinGraceMs;

  const consumer = new Consumer({
    ...clientTuning,
    ...groupTuning,
    sessionTimeout,
    rebalanceTimeout,
    clientId,
    bootstrapBrokers: options.brokers,
    groupId: group,
    ...(options.groupInstanceId ? { groupInstanceId: options.groupInstanceId } : {}),
    autocommit: false,
    protocolsMetadata: async () => {
      // The revocation's own commit, meeting the rebalance, rejoins from inside this hook.
      if (inHook) return noMetadata;
      inHook = revoking = true;
      waker.wake();
      try {
        await revoke();
      } finally {
        inHook = false;
      }
      return noMetadata;
    },
  });
  consumer.on("error", (error: unknown) => {
    // A rejoin cut short by close() is expected, not news.
    if (!closing) onError(toAppError(error, KafkaErrorCode.consumeFailed, `group ${group}`));
  });
  consumer.on("consumer:group:join", () => {
    revoking = false;
    generation++;
    waker.wake();
  });
  const fetchPool = new ConnectionPool(clientId, connectionTuning);
  const commitOffsets = async (offsets: Parameters<Consumer["commit"]>[0]["offsets"]) => void (await consumer.commit({ offsets }));

  consumer.topics.trackAll(...topics);
  try {
    await consumer.joinGroup({});
  } catch (error) {
    await consumer.close(true).catch(() => {});
    await fetchPool.close().catch(() => {});
    throw toAppError(error, KafkaErrorCode.subscribeFailed, `cannot join group ${group} for ${topics.join(", ")}`);
  }

  /** Takes the assignment away (abort, settle, commit); a second call waits for the first. */
  function revoke(): Promise<void> {
    const current = assignment;
    assignment = undefined;
    if (!current) return revocation;
    revocation = (async () => {
      for (const [key, running] of await current.stop(revokeWaitMs)) {
        held.set(key, running);
        void running.then(() => {
          if (held.get(key) === running) held.delete(key);
          waker.wake();
        });
      }
      // Uncommitted records come again to the next owner: at-least-once.
      await current.commit(commitOffsets).catch((error: unknown) => onError(toAppError(error, KafkaErrorCode.consumeFailed, `committing the revoked partitions of ${group}`)));
    })();
    return revocation;
  }

  let lastCommit = 0;
  async function step() {
    const seen = generation;
    if (assignment?.generation !== seen) {
      await revoke(); // an assignment the hook did not take (none, normally)
      const positions = await resolvePositions(consumer, consumer.assignments ?? [], fromBeginning);
      // Reassigned or revoked meanwhile: these belong to the old assignment.
      if (seen !== generation || revoking || closing) return;
      assignment = new KafkaAssignment(seen, positions, { maxBatch, maxInFlight, handle, onChange: () => waker.wake() });
    }
    const current = assignment;
    if (Date.now() - lastCommit >= commitEveryMs) {
      await current.commit(commitOffsets);
      lastCommit = Date.now();
    }
    const ready = current.fetchable(new Set(held.keys()));
    if (ready.length === 0) {
      await waker.sleep(1_000); // a batch settling or a backoff ending wakes it
      return;
    }
    const batches = await fetchBatches(consumer, fetchPool, ready, fromBeginning);
    // Revoked during the fetch: the records are left to whoever owns the partitions next.
    if (assignment === current) current.accept(ready, batches);
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
      try {
        await step();
        failures = 0;
      } catch (error) {
        // A failed fetch or commit: the pipelines keep their records; a commit is tried again.
        onError(toAppError(error, KafkaErrorCode.consumeFailed, `group ${group}`));
        await waker.sleep(Math.min(200 * 2 ** failures++, 5_000));
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
        const revoked = revoke();
        await loop;
        await revoked;
        // Leaving (rather than timing out) lets the other members take the partitions at once.
        await consumer.close().catch((error: unknown) => onError(toAppError(error, KafkaErrorCode.consumeFailed, `leaving group ${group}`)));
        await fetchPool.close().catch(() => {});
      })();
      return closed;
    },
  };
}
