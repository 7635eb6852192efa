import { describe, expect, test } from "bun:test";
import { parseCloudEvent } from "./envelope.ts";
import { readCloudEvents, toBatchRequest, toBinaryRequest, toStructuredRequest } from "./http.ts";
import { serializeCloudEventBatch, toJsonEnvelope } from "./json-format.ts";
import { type CloudEvent, CloudEventErrorCode } from "./types.ts";
import { featureAttributes } from "./feature-attributes.ts";

const url = "http://localhost/events";
const featureHeaders = {
  "ce-specversion": "1.0",
  "ce-type": "com.example.someevent",
  "ce-time": "2018-04-05T03:56:24Z",
  "ce-id": "1234-1234-1234",
  "ce-source": "/mycontext/subcontext",
};
const helloBody = '{\n    "message": "Hello World!"\n}\n';

function post(headers: Record<string, string>, body?: BodyInit): Request {
  return new Request(url, { method: "POST", headers, body });
}

async function failure(request: Request) {
  const error = await readCloudEvents(request).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) throw new Error("expected readCloudEvents to reject");
  return error as { code: string; status: number; issues: Array<{ field: string }> };
}

describe("http-protocol-binding.feature", () => {
  for (const contentType of ["application/json", "application/json; charset=utf-8"]) {
    test(`Binary content mode (${contentType})`, async () => {
      const { mode, events } = await readCloudEvents(post({ ...featureHeaders, "content-type": contentType }, helloBody));
      expect(mode).toBe("binary");
      expect<CloudEvent[]>(events).toEqual([{ ...featureAttributes, datacontenttype: contentType, data: { message: "Hello World!" } }]);
    });
  }

  for (const contentType of ["application/cloudevents+json", "application/cloudevents+json; charset=utf-8"]) {
    test(`Structured content mode (${contentType})`, async () => {
      const body = JSON.stringify(
        { ...featureAttributes, datacontenttype: "application/json", data: { message: "Hello World!" } },
        null,
        4,
      );
      const { mode, events } = await readCloudEvents(post({ "content-type": contentType }, body));
      expect(mode).toBe("structured");
      expect<CloudEvent[]>(events).toEqual([{ ...featureAttributes, datacontenttype: "application/json", data: { message: "Hello World!" } }]);
    });
  }
});

// Writers take parsed (branded) events: each test parses what it writes, as a real sender would.
const event = parseCloudEvent({
  specversion: "1.0",
  id: "order-42-created",
  source: "/orderflow/order",
  type: "com.example.order.created",
  subject: "order 42 ✓",
  time: "2024-02-29T12:00:00.123Z",
  dataschema: "https://orderflow.example/schemas/order-created/v1",
  partitionkey: "order-42",
  retries: 3,
  urgent: true,
  datacontenttype: "application/json",
  data: { orderId: "42", total: 12.5, lines: [{ sku: "A", qty: 2 }] },
});

describe("round trips", () => {
  test("binary: attributes as ce- headers, data as the JSON body; extension values come back as strings", async () => {
    const request = toBinaryRequest(url, event);
    expect(request.method).toBe("POST");
    expect(request.headers.get("ce-id")).toBe("order-42-created");
    expect(request.headers.get("ce-subject")).toBe("order%2042%20%E2%9C%93");
    expect(request.headers.get("ce-urgent")).toBe("true");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.has("ce-datacontenttype")).toBe(false);
    const { mode, events } = await readCloudEvents(request);
    expect(mode).toBe("binary");
    // HTTP binding 3.1.3.2: headers carry canonical strings, so the types of extensions are lost.
    expect<CloudEvent[]>(events).toEqual([{ ...event, retries: "3", urgent: "true" }]);
  });

  test("binary: bytes in data_base64 travel as the raw body", async () => {
    const { data: _data, ...rest } = event;
    const request = toBinaryRequest(url, parseCloudEvent({ ...rest, datacontenttype: "application/octet-stream", data_base64: "AAEC/w==" }));
    expect([...new Uint8Array(await request.clone().arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const { events } = await readCloudEvents(request);
    expect(events[0]).toMatchObject({ data_base64: "AAEC/w==", datacontenttype: "application/octet-stream" });
    expect(events[0]).not.toHaveProperty("data");
  });

  test("binary: text data stays a string; no data means an empty body", async () => {
    const text = { ...event, datacontenttype: "text/plain; charset=utf-8", data: "héllo\n" };
    const [readText] = (await readCloudEvents(toBinaryRequest(url, parseCloudEvent(text)))).events;
    expect(readText).toMatchObject({ data: "héllo\n", datacontenttype: "text/plain; charset=utf-8" });

    const { data: _data, datacontenttype: _type, ...bare } = event;
    const request = toBinaryRequest(url, parseCloudEvent(bare));
    expect(request.headers.has("content-type")).toBe(false);
    const [readBare] = (await readCloudEvents(request)).events;
    expect(readBare).not.toHaveProperty("data");
    expect(readBare).not.toHaveProperty("datacontenttype");
  });

  test("binary: data without datacontenttype is sent as application/json (JSON format 3.1.2)", async () => {
    const { datacontenttype: _type, ...implicit } = event;
    const request = toBinaryRequest(url, parseCloudEvent({ ...implicit, data: "I'm just a string" }));
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(await request.clone().text()).toBe('"I\'m just a string"');
    expect((await readCloudEvents(request)).events[0]?.data).toBe("I'm just a string");
  });

  test("binary: caller headers are kept, stale ce- and content-type headers are not", async () => {
    const init = { method: "PUT", headers: { authorization: "Bearer x", "ce-id": "stale", "content-type": "text/xml" } };
    const request = toBinaryRequest(url, event, init);
    expect(request.method).toBe("PUT");
    expect(request.headers.get("authorization")).toBe("Bearer x");
    expect(request.headers.get("ce-id")).toBe(event.id);
    expect(request.headers.get("content-type")).toBe("application/json");
  });

  test("structured: the event comes back exactly, extension types included", async () => {
    const request = toStructuredRequest(url, event);
    expect(request.headers.get("content-type")).toBe("application/cloudevents+json; charset=utf-8");
    expect(await readCloudEvents(request)).toEqual({ mode: "structured", events: [event] });
  });

  test("structured: bytes in data are sent as data_base64", async () => {
    const { datacontenttype: _type, ...rest } = event;
    const request = toStructuredRequest(url, parseCloudEvent({ ...rest, data: new Uint8Array([104, 105]) }));
    const { events } = await readCloudEvents(request);
    expect(events[0]).toMatchObject({ data_base64: "aGk=" });
    expect(events[0]).not.toHaveProperty("data");
  });

  test("batch: events in order, empty batch allowed", async () => {
    const second = parseCloudEvent({ ...event, id: "order-43-created", data: null });
    const request = toBatchRequest(url, [event, second]);
    expect(request.headers.get("content-type")).toBe("application/cloudevents-batch+json; charset=utf-8");
    expect(await readCloudEvents(request)).toEqual({ mode: "batch", events: [event, second] });
    expect(await readCloudEvents(toBatchRequest(url, []))).toEqual({ mode: "batch", events: [] });
  });

  test("batch body: the events joined one by one write what JSON.stringify writes of the array, binary data included", async () => {
    const { datacontenttype: _type, ...rest } = event;
    const events = [event, parseCloudEvent({ ...rest, id: "bytes", data: new Uint8Array([104, 105]) })];
    const expected = JSON.stringify(events.map(toJsonEnvelope));
    expect(serializeCloudEventBatch(events)).toBe(expected);
    expect(await toBatchRequest(url, events).text()).toBe(expected);
    expect(serializeCloudEventBatch([])).toBe("[]");
  });

  test("writers take only parsed events: an unchecked one does not compile, and the parse refuses it", () => {
    const unchecked: CloudEvent = { ...event, id: "" };
    // @ts-expect-error: a CloudEvent that was never parsed is not a ValidCloudEvent.
    const _send = () => toBinaryRequest(url, unchecked);
    expect(() => parseCloudEvent(unchecked)).toThrow(expect.objectContaining({ code: CloudEventErrorCode.invalid }));
  });
});

describe("percent-encoding of header values (HTTP binding 3.1.3.2)", () => {
  const read = async (headers: Record<string, string>) =>
    (await readCloudEvents(post({ ...featureHeaders, ...headers }))).events[0];

  test("the spec's example: Euro € 😀", async () => {
    const request = toBinaryRequest(url, parseCloudEvent({ ...event, subject: "Euro € 😀" }));
    expect(request.headers.get("ce-subject")).toBe("Euro%20%E2%82%AC%20%F0%9F%98%80");
    expect((await readCloudEvents(request)).events[0]?.subject).toBe("Euro € 😀");
  });

  test("space, double-quote and percent are encoded; other printable ASCII is not", () => {
    const request = toBinaryRequest(url, parseCloudEvent({ ...event, subject: `a "b" 100% c/d?e=f&g` }));
    expect(request.headers.get("ce-subject")).toBe("a%20%22b%22%20100%25%20c/d?e=f&g");
  });

  test("lower-case hex and needlessly encoded characters are accepted", async () => {
    expect(await read({ "ce-subject": "%e2%82%ac%41" })).toMatchObject({ subject: "€A" });
  });

  test("double-quoted values are unescaped before percent-decoding (older senders)", async () => {
    expect(await read({ "ce-subject": '"hello \\"big\\" world%21"' })).toMatchObject({ subject: 'hello "big" world!' });
  });

  test("a single round of decoding: %2541 stays %41", async () => {
    expect(await read({ "ce-subject": "%2541" })).toMatchObject({ subject: "%41" });
  });

  test("raw UTF-8 bytes in a header are read as UTF-8", async () => {
    const latin1 = String.fromCharCode(...new TextEncoder().encode("€"));
    expect(await read({ "ce-subject": latin1 })).toMatchObject({ subject: "€" });
  });

  const malformed: Array<[string, string]> = [
    ["an overlong encoding (%C0%A0)", "%C0%A0"],
    ["a truncated sequence", "%E2%82"],
    ["a % without two hex digits", "100%"],
    ["a % followed by non-hex", "%zz"],
    ["an unterminated quoted string", '"abc'],
    ["a decoded control character", "a%0Ab"],
  ];
  for (const [name, value] of malformed) {
    test(`400 for ${name}`, async () => {
      const error = await failure(post({ ...featureHeaders, "ce-subject": value }));
      expect(error).toMatchObject({ code: CloudEventErrorCode.invalid, status: 400 });
      expect(error.issues.map((issue) => issue.field)).toContain("subject");
    });
  }
});

describe("400 or 415", () => {
  const { "ce-id": _id, ...withoutId } = featureHeaders;
  const structured = JSON.stringify({ ...featureAttributes });
  const unsupported: Array<[string, Record<string, string>, string?]> = [
    ["no Content-Type and no ce- headers", {}, "hello"],
    ["application/json without ce-specversion", { "content-type": "application/json" }, "{}"],
    [
      "ce- headers but no ce-specversion",
      { "content-type": "application/json", "ce-id": "1", "ce-type": "t", "ce-source": "/s" },
      "{}",
    ],
    ["an unknown structured format (+xml)", { "content-type": "application/cloudevents+xml" }, "<e/>"],
    ["an unknown format even with ce-specversion (+avro)", { ...featureHeaders, "content-type": "application/cloudevents+avro" }, "x"],
    ["the bare CloudEvents media type", { "content-type": "application/cloudevents" }, structured],
    ["an unknown batch format", { "content-type": "application/cloudevents-batch+xml" }, "<b/>"],
    ["a malformed CloudEvents content type", { "content-type": "application/cloudevents+json; charset" }, structured],
    ["a charset nobody knows", { ...featureHeaders, "content-type": "text/plain; charset=klingon" }, "x"],
  ];
  for (const [name, headers, body] of unsupported) {
    test(`415 for ${name}`, async () => {
      expect(await failure(post(headers, body))).toMatchObject({ code: CloudEventErrorCode.unsupportedMediaType, status: 415 });
    });
  }

  const invalid: Array<[string, Record<string, string>, BodyInit | undefined, string]> = [
    ["malformed JSON, structured", { "content-type": "application/cloudevents+json" }, "{ nope", "body"],
    ["malformed JSON, batch", { "content-type": "application/cloudevents-batch+json" }, "[{]", "body"],
    ["malformed JSON data, binary", { ...featureHeaders, "content-type": "application/json" }, "{ nope", "data"],
    ["an empty structured body", { "content-type": "application/cloudevents+json" }, undefined, "body"],
    ["a structured body that is an array", { "content-type": "application/cloudevents+json" }, "[]", "event"],
    ["a batch body that is an object", { "content-type": "application/cloudevents-batch+json" }, structured, "batch"],
    ["invalid UTF-8 in a structured body", { "content-type": "application/cloudevents+json" }, new Uint8Array([0x7b, 0xff, 0x7d]), "body"],
    ["ce-specversion 0.3", { ...featureHeaders, "ce-specversion": "0.3" }, undefined, "specversion"],
    ["an empty ce-id", { ...featureHeaders, "ce-id": "" }, undefined, "id"],
    ["a missing ce-id", withoutId, undefined, "id"],
    ["a ce-datacontenttype header (3.1.1)", { ...featureHeaders, "ce-datacontenttype": "text/plain" }, undefined, "datacontenttype"],
    ["a ce-data header", { ...featureHeaders, "ce-data": "x" }, undefined, "data"],
    ["a bad extension name", { ...featureHeaders, "ce-my-ext": "x" }, undefined, "my-ext"],
    ["a Content-Type that is no media type, binary", { ...featureHeaders, "content-type": "xyz" }, "x", "datacontenttype"],
    ["a bad ce-time", { ...featureHeaders, "ce-time": "2018-02-30T00:00:00Z" }, undefined, "time"],
  ];
  for (const [name, headers, body, field] of invalid) {
    test(`400 for ${name}`, async () => {
      const error = await failure(post(headers, body));
      expect(error).toMatchObject({ code: CloudEventErrorCode.invalid, status: 400 });
      expect(error.issues.map((issue) => issue.field)).toContain(field);
    });
  }

  test("binary mode with any Content-Type, or none, once ce-specversion is there", async () => {
    for (const contentType of ["application/xml", "image/png", undefined]) {
      const headers: Record<string, string> = contentType ? { ...featureHeaders, "content-type": contentType } : featureHeaders;
      expect((await readCloudEvents(post(headers, "<x/>"))).mode).toBe("binary");
    }
  });

  test("ce- header names are case-insensitive", async () => {
    const headers = { "CE-SpecVersion": "1.0", "Ce-Id": "1", "CE-TYPE": "t", "ce-Source": "/s" };
    expect<CloudEvent[]>((await readCloudEvents(post(headers))).events).toEqual([{ specversion: "1.0", id: "1", type: "t", source: "/s" }]);
  });

  test("the CloudEvents media type is matched case-insensitively and wins over ce- headers", async () => {
    const headers = { ...featureHeaders, "ce-id": "from-header", "content-type": "Application/CloudEvents+JSON" };
    const { mode, events } = await readCloudEvents(post(headers, structured));
    expect(mode).toBe("structured");
    expect(events[0]?.id).toBe("1234-1234-1234");
  });
});
