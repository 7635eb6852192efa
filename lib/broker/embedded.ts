import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../errors/index.ts";
import { ConsumerGroup } from "./embedded-group.ts";
import { PartitionLog } from "./embedded-log.ts";
import { partitionForKey } from "./partitioner.ts";
import { type Broker, BrokerErrorCode, type ProducedRecord, type TopicSpec } from "./types.ts";

export type EmbeddedBrokerOptions = {
  /** Folder holding topics, partition logs and committed offsets; kept across restarts. */
  dir: string;
  /** fdatasync after every append (survives power loss, not only a killed process). Default true. */
  fsync?: boolean;
  maxBatch?: number;
};

/**
 * A durable, partitioned log with consumer groups, inside one process: the laptop stand-in for
 * Kafka with the same semantics (key → partition, order per partition, offsets committed after the
 * handler). A lock file keeps a second process from writing the same folder.
 */
export function createEmbeddedBroker(options: EmbeddedBrokerOptions): Broker {
  const { dir, fsync = true, maxBatch = 100 } = options;
  mkdirSync(dir, { recursive: true });
  const releaseLock = takeLock(join(dir, "LOCK"));
  const topicsFile = join(dir, "topics.json");
  const specs: Record<string, number> = existsSync(topicsFile) ? JSON.parse(readFileSync(topicsFile, "utf8")) : {};
  const partitions = new Map<string, PartitionLog[]>();
  const groups = new Map<string, ConsumerGroup>();
  let closed = false;

  const openTopic = (name: string, count: number) =>
    partitions.set(name, Array.from({ length: count }, (_, p) => new PartitionLog(join(dir, "log", name), name, p, fsync)));
  for (const [name, count] of Object.entries(specs)) openTopic(name, count);

  const partitionsOf = (topic: string): PartitionLog[] => {
    const logs = partitions.get(topic);
    if (!logs) throw new AppError(BrokerErrorCode.unknownTopic, `unknown topic "${topic}"`, { status: 404 });
    return logs;
  };
  const assertOpen = () => {
    if (closed) throw new AppError(BrokerErrorCode.closed, "the embedded broker is closed");
  };

  return {
    async ensureTopics(topics: TopicSpec[]) {
      assertOpen();
      const missing = topics.filter((t) => !partitions.has(t.name));
      if (missing.length === 0) return;
      for (const t of missing) {
        specs[t.name] = t.partitions;
        openTopic(t.name, t.partitions);
      }
      writeFileSync(topicsFile, JSON.stringify(specs, null, 2));
    },

    async publish(records: ProducedRecord[]) {
      assertOpen();
      const byLog = new Map<PartitionLog, ProducedRecord[]>();
      for (const r of records) {
        const logs = partitionsOf(r.topic);
        const log = logs[partitionForKey(r.key, logs.length)] as PartitionLog;
        byLog.set(log, [...(byLog.get(log) ?? []), r]);
      }
      for (const [log, batch] of byLog) log.append(batch);
      for (const group of groups.values()) group.wake();
    },

    async subscribe({ group: name, topics, handle, maxBatch: max = maxBatch }) {
      assertOpen();
      for (const topic of topics) partitionsOf(topic);
      let group = groups.get(name);
      if (!group) {
        group = new ConsumerGroup(join(dir, "groups"), name, partitionsOf);
        groups.set(name, group);
      }
      const leave = group.join(topics, handle, max);
      return { close: leave };
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...groups.values()].map((g) => g.close()));
      for (const logs of partitions.values()) for (const log of logs) log.close();
      releaseLock();
    },
  };
}

/** One writer per folder: a second live process gets a clear error; a dead one's lock is taken over. */
function takeLock(path: string): () => void {
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, "utf8"));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new AppError("broker.locked", `embedded broker folder ${path} is in use by process ${pid}`);
    }
  }
  writeFileSync(path, String(process.pid));
  return () => rmSync(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
