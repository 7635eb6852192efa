import { describe, expect, test } from "bun:test";
import { parseCloudEvent, parseCloudEventBatch } from "./envelope.ts";
import { type CloudEvent, CloudEventErrorCode } from "./types.ts";

const minimal = { specversion: "1.0" as const, id: "1", source: "/orders", type: "com.example.order.created" };

function issuesOf(run: () => unknown): Array<{ field: string; message: string }> {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ code: CloudEventErrorCode.invalid, status: 400 });
    return (error as { issues: Array<{ field: string; message: string }> }).issues;
  }
  throw new Error("expected a rejection");
}

const fieldsOf = (run: () => unknown) => issuesOf(run).map((issue) => issue.field);

describe("extension attributes", () => {
  test("boolean, 32-bit integers and strings (URI, timestamp, binary included) are accepted", () => {
    const extensions = { flag: false, low: -2_147_483_648, high: 2_147_483_647, empty: "", ts: "2020-01-01T00:00:00Z" };
    expect<CloudEvent>(parseCloudEvent({ ...minimal, ...extensions })).toEqual({ ...minimal, ...extensions });
  });

  const rejected: Array<[string, unknown]> = [
    ["a fraction", 1.5],
    ["an integer beyond 32 bits", 2_147_483_648],
    ["an object", { a: 1 }],
    ["an array", ["a"]],
    ["a string with a control character", "a\u0007b"],
    ["a string with a lone surrogate", "\uDEAD"],
    ["a string with a noncharacter", "\uFFFE"],
  ];
  for (const [name, value] of rejected) {
    test(`rejects ${name}`, () => expect(fieldsOf(() => parseCloudEvent({ ...minimal, ext: value }))).toEqual(["ext"]));
  }

  test("null means unset (JSON format 2.2) and is dropped", () => {
    expect<CloudEvent>(parseCloudEvent({ ...minimal, ext: null, subject: null })).toEqual(minimal);
  });

  test("the event parsed is an object of its own: changing the input afterwards changes nothing", () => {
    const input: Record<string, unknown> = { ...minimal, ext: "a" };
    const parsed = parseCloudEvent(input);
    input.ext = "changed";
    input.id = "changed";
    expect<CloudEvent>(parsed).toEqual({ ...minimal, ext: "a" });
  });

  test("names longer than 20 characters pass (a SHOULD NOT, not a MUST NOT)", () => {
    expect(parseCloudEvent({ ...minimal, averyveryverylongextensionname: "x" })).toHaveProperty("averyveryverylongextensionname");
  });

  test("names with capitals, punctuation or underscores are rejected, and so are constructor/prototype", () => {
    const input = JSON.parse(
      '{"specversion":"1.0","id":"1","source":"/s","type":"t","Ext":1,"my_ext":1,"__proto__":1,"constructor":"x"}',
    );
    expect(fieldsOf(() => parseCloudEvent(input)).sort()).toEqual(["Ext", "__proto__", "constructor", "my_ext"]);
  });
});

describe("core attributes", () => {
  test("a well-formed pair of surrogates is a legal String", () => {
    expect(parseCloudEvent({ ...minimal, subject: "\uD83D\uDE00" }).subject).toBe("😀");
  });

  test("source: any URI-reference; dataschema: an absolute URI without fragment (RFC 3986 4.3)", () => {
    for (const source of ["urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "mailto:a@b.c", "1-555-123-4567", "#f", "//h/p"]) {
      expect(parseCloudEvent({ ...minimal, source }).source).toBe(source);
    }
    expect(fieldsOf(() => parseCloudEvent({ ...minimal, source: "a b" }))).toEqual(["source"]);
    expect(fieldsOf(() => parseCloudEvent({ ...minimal, source: "1a:b" }))).toEqual(["source"]);
    expect(fieldsOf(() => parseCloudEvent({ ...minimal, source: "/caf\u00e9" }))).toEqual(["source"]);
    expect(parseCloudEvent({ ...minimal, dataschema: "urn:example:schema" }).dataschema).toBe("urn:example:schema");
    expect(fieldsOf(() => parseCloudEvent({ ...minimal, dataschema: "/schemas/x" }))).toEqual(["dataschema"]);
    expect(fieldsOf(() => parseCloudEvent({ ...minimal, dataschema: "https://x.example/s#a" }))).toEqual(["dataschema"]);
  });

  test("datacontenttype: type/subtype with parameters", () => {
    for (const type of ["application/json", "text/plain; charset=utf-8", 'multipart/mixed; boundary="a b"', "application/vnd.a+json"]) {
      expect(parseCloudEvent({ ...minimal, datacontenttype: type }).datacontenttype).toBe(type);
    }
    for (const type of ["xyz", "text/", "text/plain;", "text/plain; charset", "text plain"]) {
      expect(fieldsOf(() => parseCloudEvent({ ...minimal, datacontenttype: type }))).toEqual(["datacontenttype"]);
    }
  });

  test("every failing attribute is named at once", () => {
    const input = { specversion: "1.0", id: 1, source: "", subject: "", time: "now", Bad: 1 };
    expect(fieldsOf(() => parseCloudEvent(input)).sort()).toEqual(["Bad", "id", "source", "subject", "time", "type"]);
  });
});

describe("data", () => {
  test("data: null is an explicit null payload and is kept", () => {
    expect<CloudEvent>(parseCloudEvent({ ...minimal, data: null })).toEqual({ ...minimal, data: null });
  });

  test("data_base64 must be RFC 4648 base64; null is unset", () => {
    expect<CloudEvent>(parseCloudEvent({ ...minimal, data_base64: "" })).toEqual({ ...minimal, data_base64: "" });
    expect<CloudEvent>(parseCloudEvent({ ...minimal, data: 1, data_base64: null })).toEqual({ ...minimal, data: 1 });
    for (const bad of ["abc", "a=bc", "ab c=", "YQ", "YQ===", "_-8="]) {
      expect(fieldsOf(() => parseCloudEvent({ ...minimal, data_base64: bad }))).toEqual(["data_base64"]);
    }
  });

  test("data and data_base64 together are refused, even when data is null", () => {
    expect(fieldsOf(() => parseCloudEvent({ ...minimal, data: null, data_base64: "YQ==" }))).toEqual(["data_base64"]);
  });
});

describe("batches", () => {
  test("issues name the position in the batch", () => {
    expect(fieldsOf(() => parseCloudEventBatch([minimal, { ...minimal, id: "" }]))).toEqual(["1.id"]);
  });

  test("a batch must be an array", () => {
    expect(fieldsOf(() => parseCloudEventBatch(minimal))).toEqual(["batch"]);
  });
});
