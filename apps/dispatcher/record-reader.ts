import type { ConsumedRecord } from "../../lib/broker/index.ts";
import { BoundedMap } from "../../lib/cache/index.ts";
import { fromKafkaRecord, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";

/**
 * Each subscription is its own consumer group, so one record reaches this process once per group
 * that reads its topic: an order's four events arrive eleven times. Reading a record (parsing,
 * validating) is a pure function of its headers and value, so the event read for one group is
 * given to the next group that fetches the same record, as long as its bytes are the same (a
 * position alone could be reused by a topic deleted and created again). Bounded: the groups fetch
 * a record at about the same time, so the last `capacity` records are enough.
 */
export function createRecordReader(capacity = 10_000): (record: ConsumedRecord) => ValidCloudEvent {
  const read = new BoundedMap<string, { value: Uint8Array; headers: Record<string, string>; event: ValidCloudEvent }>(capacity);
  return (record) => {
    const position = `${record.topic}/${record.partition}@${record.offset}`;
    const known = read.get(position);
    if (known && sameBytes(known.value, record.value) && sameHeaders(known.headers, record.headers)) return known.event;
    // A record that is not a CloudEvent throws here, every time: it is dead-lettered once per group.
    const event = fromKafkaRecord(record);
    read.set(position, { value: record.value, headers: record.headers, event });
    return event;
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => a[name] === b[name]);
}
