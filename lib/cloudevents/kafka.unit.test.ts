import { describe, expect, test } from "bun:test";
import type { ProducedRecord } from "../broker/index.ts";
import { parseCloudEvent } from "./envelope.ts";
import { fromKafkaRecord, type KafkaMessage, type KafkaRecord, toKafkaRecord, toStructuredKafkaRecord } from "./kafka.ts";
import { type CloudEvent, CloudEventErrorCode } from "./types.ts";
import { featureAttributes } from "./feature-attributes.ts";

const encode = (text: string) => new TextEncoder().encode(text);

function failure(record: KafkaMessage) {
  try {
    fromKafkaRecord(record);
  } catch (error) {
    return error as { code: string; status: number; issues: Array<{ field: string }> };
  }
  throw new Error("expected fromKafkaRecord to throw");
}

describe("kafka-protocol-binding.feature", () => {
  test("Binary content mode", () => {
    const event = fromKafkaRecord({
      key: "",
      value: encode('{"message": "Hello World!"}'),
      headers: {
        ce_specversion: "1.0",
        ce_id: "1234-1234-1234",
        ce_type: "com.example.someevent",
        ce_source: "/mycontext/subcontext",
        ce_time: "2018-04-05T03:56:24Z",
        "content-type": "application/json",
      },
    });
    expect<CloudEvent>(event).toEqual({ ...featureAttributes, datacontenttype: "application/json", data: { message: "Hello World!" } });
  });

  for (const contentType of ["application/cloudevents+json", "application/cloudevents+json; charset=utf-8"]) {
    test(`Structured content mode (${contentType})`, () => {
      const payload = { ...featureAttributes, datacontenttype: "application/json", data: { message: "Hello World!" } };
      const event = fromKafkaRecord({
        key: "",
        value: encode(JSON.stringify(payload, null, 4)),
        headers: { "content-type": contentType },
      });
      expect<CloudEvent>(event).toEqual(payload);
    });
  }
});

// Writers take parsed (branded) events: each test parses what it writes, as a real producer would.
const event = parseCloudEvent({
  specversion: "1.0",
  id: "order-42-created",
  source: "/orderflow/order",
  type: "com.example.order.created",
  subject: "order 42 ✓ €",
  time: "2024-02-29T12:00:00Z",
  partitionkey: "order-42",
  retries: 3,
  urgent: false,
  datacontenttype: "application/json",
  data: { orderId: "42", total: 12.5 },
});

describe("round trip (binary mode)", () => {
  test("attributes become ce_ headers in plain UTF-8, data the value, datacontenttype the content-type", () => {
    const record = toKafkaRecord("orders", "order-42", event);
    expect(record.topic).toBe("orders");
    expect(record.key).toBe("order-42");
    expect(record.headers).toEqual({
      ce_specversion: "1.0",
      ce_id: "order-42-created",
      ce_source: "/orderflow/order",
      ce_type: "com.example.order.created",
      ce_subject: "order 42 ✓ €",
      ce_time: "2024-02-29T12:00:00Z",
      ce_partitionkey: "order-42",
      ce_retries: "3",
      ce_urgent: "false",
      "content-type": "application/json",
    });
    expect(JSON.parse(new TextDecoder().decode(record.value))).toEqual(event.data);
    // Headers carry canonical strings, so extension types come back as strings.
    expect<CloudEvent>(fromKafkaRecord(record)).toEqual({ ...event, retries: "3", urgent: "false" });
  });

  test("binary data, text data and no data", () => {
    const { data: _bytesData, ...rest } = event;
    const bytesRecord = toKafkaRecord("orders", "k", parseCloudEvent({ ...rest, datacontenttype: "application/octet-stream", data_base64: "AAEC/w==" }));
    expect([...bytesRecord.value]).toEqual([0, 1, 2, 255]);
    expect(fromKafkaRecord(bytesRecord)).toMatchObject({ data_base64: "AAEC/w==" });

    const text = parseCloudEvent({ ...event, datacontenttype: "text/plain", data: "hello" });
    expect(fromKafkaRecord(toKafkaRecord("orders", "k", text))).toMatchObject({ data: "hello" });

    const { data: _data, datacontenttype: _type, ...bare } = event;
    const bareRecord = toKafkaRecord("orders", "k", parseCloudEvent(bare));
    expect(bareRecord.value.byteLength).toBe(0);
    expect(bareRecord.headers).not.toHaveProperty("content-type");
    expect(fromKafkaRecord(bareRecord)).not.toHaveProperty("data");
  });
});

describe("round trip (structured mode)", () => {
  test("the whole event is the JSON value, content-type the JSON format; extension types survive", () => {
    const record = toStructuredKafkaRecord("orders", "order-42", event);
    expect(record).toMatchObject({ topic: "orders", key: "order-42", headers: { "content-type": "application/cloudevents+json" } });
    expect(JSON.parse(new TextDecoder().decode(record.value))).toEqual({ ...event });
    expect(fromKafkaRecord(record)).toEqual(event);
  });

  test("extra headers travel beside the event, but cannot change its content-type", () => {
    const extra = { "dl-service": "payment", "Content-Type": "text/plain", ce_id: "not-read" };
    const record = toStructuredKafkaRecord("orders", "k", event, extra);
    expect(record.headers).toEqual({ "dl-service": "payment", ce_id: "not-read", "content-type": "application/cloudevents+json" });
    expect(fromKafkaRecord(record).id).toBe("order-42-created");
  });

  test("bytes in data are written as data_base64; the key falls back to partitionkey", () => {
    const { datacontenttype: _type, ...rest } = event;
    const record = toStructuredKafkaRecord("orders", undefined, parseCloudEvent({ ...rest, data: new Uint8Array([104, 105]) }));
    expect(record.key).toBe("order-42");
    expect(fromKafkaRecord(record)).toMatchObject({ data_base64: "aGk=" });
  });
});

test("the codec's record shape and the broker port's are the same shape (no import between them)", () => {
  const produced: ProducedRecord = toKafkaRecord("orders", "k", event);
  const back: KafkaRecord = produced;
  expect(fromKafkaRecord(back).id).toBe(event.id);
});

describe("record key (Kafka binding 3.1)", () => {
  test("the given key wins, partitionkey is still sent", () => {
    const record = toKafkaRecord("orders", "explicit", event);
    expect(record.key).toBe("explicit");
    expect(record.headers.ce_partitionkey).toBe("order-42");
  });

  test("without a key the partitionkey mapper is used; the event is not changed", () => {
    const before = structuredClone(event);
    expect(toKafkaRecord("orders", undefined, event).key).toBe("order-42");
    expect(event).toEqual(before);
  });

  test("no key and no partitionkey is an error, and no attribute is invented", () => {
    const { partitionkey: _key, ...unkeyed } = event;
    expect(() => toKafkaRecord("orders", undefined, parseCloudEvent(unkeyed))).toThrow(
      expect.objectContaining({ code: CloudEventErrorCode.noKey }),
    );
  });
});

describe("reading: modes and errors", () => {
  const structured = encode(JSON.stringify(featureAttributes));

  test("no content-type and no ce_ headers: the value is read as a structured JSON event (3.3.1)", () => {
    expect<CloudEvent>(fromKafkaRecord({ key: "", value: structured, headers: {} })).toEqual(featureAttributes);
  });

  test("content-type is found whatever its case", () => {
    const record = { key: "", value: structured, headers: { "Content-Type": "application/cloudevents+json" } };
    expect<CloudEvent>(fromKafkaRecord(record)).toEqual(featureAttributes);
  });

  const unsupported: Array<[string, string]> = [
    ["an unknown format", "application/cloudevents+avro"],
    ["the batch format (no batch mode in this binding)", "application/cloudevents-batch+json"],
  ];
  for (const [name, contentType] of unsupported) {
    test(`415 for ${name}`, () => {
      const error = failure({ key: "", value: structured, headers: { "content-type": contentType } });
      expect(error).toMatchObject({ code: CloudEventErrorCode.unsupportedMediaType, status: 415 });
    });
  }

  const headers = { ce_specversion: "1.0", ce_id: "1", ce_type: "t", ce_source: "/s" };
  const { ce_id: _id, ...withoutId } = headers;
  const invalid: Array<[string, KafkaMessage, string]> = [
    ["malformed JSON, structured", { key: "", value: encode("{ nope"), headers: { "content-type": "application/cloudevents+json" } }, "value"],
    ["malformed JSON data, binary", { key: "", value: encode("{ nope"), headers: { ...headers, "content-type": "application/json" } }, "data"],
    ["neither headers nor a JSON event", { key: "", value: encode("hello"), headers: {} }, "value"],
    ["a missing ce_id", { key: "", value: new Uint8Array(), headers: withoutId }, "id"],
    ["a ce_datacontenttype header", { key: "", value: new Uint8Array(), headers: { ...headers, ce_datacontenttype: "text/plain" } }, "datacontenttype"],
    ["an invalid ce_specversion", { key: "", value: new Uint8Array(), headers: { ...headers, ce_specversion: "0.3" } }, "specversion"],
    ["binary without ce_specversion", { key: "", value: encode("{}"), headers: { ce_id: "1", "content-type": "application/json" } }, "specversion"],
  ];
  for (const [name, record, field] of invalid) {
    test(`400 for ${name}`, () => {
      const error = failure(record);
      expect(error).toMatchObject({ code: CloudEventErrorCode.invalid, status: 400 });
      expect(error.issues.map((issue) => issue.field)).toContain(field);
    });
  }
});
