import { ConnectionPool, Consumer, FetchIsolationLevels, ListOffsetTimestamps } from "@platformatic/kafka";
import { AppError } from "../errors/index.ts";
import { closedError, KafkaErrorCode, toAppError } from "./kafka-errors.ts";
import { fetchBatches, type Position } from "./kafka-fetch.ts";
import { clientTuning, connectionTuning } from "./kafka-support.ts";
import type { ConsumedRecord } from "./types.ts";

/** How long one readAll may fetch before it gives up (a partition without a leader, a broker away). */
export const readAllTimeoutMs = 30_000;
const noProgressPauseMs = 100;
const unknownTopicRetries = 2;

export type ReadAllOptions = {
  brokers: string[];
  clientId: string;
  /** True once the broker client closes: the read stops between two fetches. */
  isClosed: () => boolean;
  /** Tests: runs once the ends are captured; what is published meanwhile lies past them. */
  afterCapture?: () => Promise<void>;
};

/** A partition still to read: where the next fetch starts, and the end captured at the call. */
type Range = Position & { end: bigint };

/**
 * Reads every record of `topic` kept now, with a client of its own that joins no group: the
 * earliest offset and the end of each partition are listed first (ListOffsets), then each partition
 * is fetched from its earliest until its position reaches that end. The position moves past every
 * batch seen, transaction markers and compacted gaps included, so the read ends even where no
 * record sits at `end - 1`; records appended after the listing are left out.
 */
export async function readKafkaTopic(options: ReadAllOptions, topic: string): Promise<ConsumedRecord[]> {
  const { brokers, clientId } = options;
  // The library wants a group id; nothing here joins, commits or even looks the group up.
  const consumer = new Consumer({ ...clientTuning, clientId, bootstrapBrokers: brokers, groupId: `${clientId}.read-all` });
  const fetchPool = new ConnectionPool(clientId, connectionTuning);
  // Failures reach the caller through the promises; an emitter without a listener would throw.
  consumer.on("error", () => {});
  consumer.topics.track(topic);
  try {
    const ranges = await captureRanges(consumer, topic);
    await options.afterCapture?.();
    return await readRanges(consumer, fetchPool, ranges, options.isClosed);
  } catch (error) {
    throw toAppError(error, KafkaErrorCode.readFailed, `cannot read topic ${topic}`);
  } finally {
    await consumer.close(true).catch(() => {});
    await fetchPool.close().catch(() => {});
  }
}

/**
 * Each partition's earliest offset and its end now. Read committed, the end is the last stable
 * offset: fetching (also read committed) reaches it even while a transaction stays open.
 */
async function captureRanges(consumer: Consumer, topic: string): Promise<Range[]> {
  // An unknown topic fails here (the library's "Unknown topic", broker.unknown_topic for callers),
  // after two quick retries (0.3 s) for a topic just created whose news has not reached every
  // broker, rather than the client's six (5 s).
  const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true, retries: unknownTopicRetries });
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const list = (timestamp: bigint) => consumer.listOffsets({ topics: [topic], timestamp, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
  const [earliest, latest] = await Promise.all([list(ListOffsetTimestamps.EARLIEST), list(ListOffsetTimestamps.LATEST)]);
  return Array.from({ length: count }, (_, partition) => ({
    topic,
    partition,
    offset: earliest.get(topic)?.[partition] ?? 0n,
    end: latest.get(topic)?.[partition] ?? 0n,
  }));
}

async function readRanges(consumer: Consumer, pool: ConnectionPool, ranges: Range[], isClosed: () => boolean): Promise<ConsumedRecord[]> {
  const read = new Map<Range, ConsumedRecord[]>(ranges.map((range) => [range, []]));
  const deadline = Date.now() + readAllTimeoutMs;
  let pending = ranges.filter((r) => r.offset < r.end);
  while (pending.length > 0) {
    if (isClosed()) throw closedError("readAll");
    if (Date.now() > deadline) throw timedOut(pending);
    const before = pending.map((r) => r.offset);
    // A partition whose earliest records retention deleted meanwhile moves to its new beginning.
    const batches = await fetchBatches(consumer, pool, pending, true);
    for (const { position, records, next } of batches) {
      const range = position as Range;
      read.get(range)?.push(...records.filter((r) => r.offset < range.end));
      if (next > range.offset) range.offset = next;
    }
    // No request went out (a partition left the metadata): wait a little rather than spin.
    if (pending.every((r, i) => r.offset === before[i])) await Bun.sleep(noProgressPauseMs);
    pending = pending.filter((r) => r.offset < r.end);
  }
  return ranges.flatMap((range) => read.get(range) ?? []);
}

function timedOut(pending: Range[]): AppError {
  const where = pending.map((r) => `${r.topic}/${r.partition} at ${r.offset} of ${r.end}`).join(", ");
  return new AppError(KafkaErrorCode.readFailed, `readAll did not reach the end within ${readAllTimeoutMs} ms: ${where}`, { retryable: true, status: 503 });
}
