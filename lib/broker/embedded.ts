import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors/index.ts";
import { makeDirectoryDurably, writeFileDurably } from "../fs/index.ts";
import { lockFolder } from "../lock/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { ConsumerGroup } from "./embedded-group.ts";
import { PartitionLog } from "./embedded-log.ts";
import { defaultRetentionOf, describeLag, groupsBehindRetention, type RetentionLag, type RetentionPolicy } from "./embedded-retention.ts";
import { partitionForKey } from "./partitioner.ts";
import { type Broker, BrokerErrorCode, type ProducedRecord, type TopicSpec } from "./types.ts";

export type EmbeddedBrokerOptions = {
  /** Folder holding topics, partition logs and committed offsets; kept across restarts. */
  dir: string;
  /** fdatasync every appended batch, fsync offsets and folders (survives power loss, not only a killed process). Default true. */
  fsync?: boolean;
  maxBatch?: number;
  /** What each topic keeps. Default: 1 GiB and 7 days per partition; dead-letters until redriven. */
  retentionOf?: (topic: TopicSpec) => RetentionPolicy;
  /** How often age retention runs. Default: every minute. */
  retentionCheckMs?: number;
  now?: () => number;
  /** Where torn records and groups behind retention are reported. Default: stdout. */
  log?: Logger;
};

export type EmbeddedBroker = Broker & {
  /** Consumer groups, running or not, whose committed offset is before the earliest record kept. */
  groupsBehindRetention(): RetentionLag[];
};

/**
 * A durable, partitioned log with consumer groups, inside one process: the laptop stand-in for
 * Kafka with the same semantics (key → partition, order per partition, offsets committed after the
 * handler, retention by size and age). A kernel lock keeps a second process out of the folder.
 */
export function createEmbeddedBroker(options: EmbeddedBrokerOptions): EmbeddedBroker {
  const { dir, fsync = true, maxBatch = 100, retentionOf = defaultRetentionOf, retentionCheckMs = 60_000, now = Date.now } = options;
  const log = options.log ?? createLogger({ name: "embedded-broker" });
  const lock = lockFolder(dir, { code: "broker.locked", what: "embedded broker folder" });
  try {
    return openFolder({ dir, fsync, maxBatch, retentionOf, retentionCheckMs, now, log }, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

function openFolder(options: Required<EmbeddedBrokerOptions>, releaseLock: () => void): EmbeddedBroker {
  const { dir, fsync, maxBatch, retentionOf, now, log } = options;
  const [topicsFile, groupsDir] = [join(dir, "topics.json"), join(dir, "groups")];
  makeDirectoryDurably(groupsDir, fsync);
  const specs = readTopics(topicsFile);
  const partitions = new Map<string, PartitionLog[]>();
  const groups = new Map<string, ConsumerGroup>();
  let closed = false;

  const openTopic = (spec: TopicSpec) =>
    partitions.set(
      spec.name,
      Array.from({ length: spec.partitions }, (_, p) => new PartitionLog(join(dir, "log", spec.name), spec.name, p, { sync: fsync, retention: retentionOf(spec), now, log })),
    );
  for (const spec of Object.values(specs)) openTopic(spec);

  const partitionsOf = (topic: string): PartitionLog[] => {
    const logs = partitions.get(topic);
    if (!logs) throw new AppError(BrokerErrorCode.unknownTopic, `unknown topic "${topic}"`, { status: 404 });
    return logs;
  };
  const assertOpen = () => {
    if (closed) throw new AppError(BrokerErrorCode.closed, "the embedded broker is closed");
  };
  const lags = () =>
    groupsBehindRetention(
      groupsDir,
      (topic, partition) => partitions.get(topic)?.[partition]?.startOffset,
      [...groups].map(([group, consumers]) => ({ group, offsets: consumers.committed })),
    );
  /**
   * Runs retention; every group it left behind is reported now, and again when it moves on. A
   * failure is reported, not thrown: the records a publish stored are stored, retention or not.
   */
  const enforceRetention = (logs: Iterable<PartitionLog>, reportAnyway = false) => {
    try {
      let deleted = 0;
      for (const partitionLog of logs) deleted += partitionLog.enforceRetention();
      if (deleted > 0 || reportAnyway) for (const lag of lags()) log.warn(`${describeLag(lag)} when it next reads`);
    } catch (error) {
      log.error({ error }, "embedded broker: retention failed, tried again later");
    }
  };
  const groupNamed = (name: string): ConsumerGroup => {
    const existing = groups.get(name);
    if (existing) return existing;
    const group = new ConsumerGroup(groupsDir, name, partitionsOf, {
      sync: fsync,
      onBehindRetention: (lag) => log.warn(`${describeLag(lag)}, now`),
      onReadError: (error) => log.error({ group: name, error }, "embedded broker: a consumer group cannot read its log, retrying"),
      onWriteError: (error) => log.error({ group: name, error }, "embedded broker: a consumer group's offsets could not be written, written with the next commit"),
    });
    groups.set(name, group);
    return group;
  };
  enforceRetention([...partitions.values()].flat(), true);
  const timer = setInterval(() => enforceRetention([...partitions.values()].flat()), options.retentionCheckMs);
  timer.unref?.();

  return {
    groupsBehindRetention: lags,

    async ensureTopics(topics: TopicSpec[]) {
      assertOpen();
      const missing = topics.filter((t) => !partitions.has(t.name));
      // A folder from before its topic was marked "keep forever" (dead-letters): the spec wins.
      const changed = topics.filter((t) => partitions.has(t.name) && specs[t.name]?.keep !== t.keep);
      if (missing.length === 0 && changed.length === 0) return;
      for (const t of changed) {
        specs[t.name] = { ...specs[t.name]!, keep: t.keep };
        for (const partitionLog of partitionsOf(t.name)) partitionLog.setRetention(retentionOf(specs[t.name]!));
      }
      for (const t of missing) {
        specs[t.name] = { name: t.name, partitions: t.partitions, ...(t.keep ? { keep: t.keep } : {}) };
        openTopic(specs[t.name]!);
      }
      writeFileDurably(topicsFile, JSON.stringify(stored(specs), null, 2), { sync: fsync });
    },

    async publish(records: ProducedRecord[]) {
      assertOpen();
      const byLog = Map.groupBy(records, (r) => {
        const logs = partitionsOf(r.topic);
        return logs[partitionForKey(r.key, logs.length)] as PartitionLog;
      });
      for (const [partitionLog, batch] of byLog) partitionLog.append(batch);
      enforceRetention(byLog.keys());
      for (const group of groups.values()) group.wake();
    },

    async subscribe({ group: name, topics, handle, maxBatch: max = maxBatch, maxInFlight = max }) {
      assertOpen();
      for (const topic of topics) partitionsOf(topic);
      const leave = groupNamed(name).join({ topics, handle, maxBatch: Math.max(1, max), maxInFlight });
      let left: Promise<void> | undefined;
      return { close: () => (left ??= leave()) };
    },

    async resetGroup(name, topics, to) {
      assertOpen();
      const logs = topics.flatMap(partitionsOf);
      const group = groupNamed(name);
      if (group.hasMembers) throw groupActiveError(name);
      for (const partitionLog of logs) group.moveTo(partitionLog, partitionLog.offsetAt(to));
    },

    async readAll(topic) {
      assertOpen();
      // Synchronous from here on: the end of each partition is where it stands at the call.
      return partitionsOf(topic).flatMap((partitionLog) => {
        const { startOffset, nextOffset } = partitionLog;
        return partitionLog.read(startOffset, Number(nextOffset - startOffset)).filter((r) => r.offset < nextOffset);
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await Promise.all([...groups.values()].map((g) => g.close()));
      for (const logs of partitions.values()) for (const partitionLog of logs) partitionLog.close();
      releaseLock();
    },
  };
}

function groupActiveError(group: string): AppError {
  return new AppError(BrokerErrorCode.groupActive, `consumer group "${group}" has active members; stop its consumers (the dispatcher) before resetting it`, { status: 409 });
}

/** As topics.json keeps a topic: its partition count, or the count and what retention may do. */
type StoredTopic = number | { partitions: number; keep?: "forever" };

/**
 * topics.json is written by rename with fsync, so an unreadable one is damage, not a torn write.
 * A topic is `"name": count`, or `"name": {"partitions": count, "keep": "forever"}`.
 */
function readTopics(file: string): Record<string, TopicSpec> {
  if (!existsSync(file)) return {};
  try {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, StoredTopic>;
    return Object.fromEntries(
      Object.entries(stored).map(([name, topic]) => [name, typeof topic === "number" ? { name, partitions: topic } : { name, ...topic }]),
    );
  } catch (error) {
    throw new AppError("broker.damaged_topics", `${file} is unreadable; it lists each topic's partition count, as {"name": count}`, { cause: error });
  }
}

function stored(specs: Record<string, TopicSpec>): Record<string, StoredTopic> {
  return Object.fromEntries(Object.values(specs).map(({ name, partitions, keep }) => [name, keep ? { partitions, keep } : partitions]));
}
