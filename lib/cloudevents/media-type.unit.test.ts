import { describe, expect, test } from "bun:test";
import { featureAttributes } from "./feature-attributes.ts";
import { readCloudEvents } from "./http.ts";
import { fromKafkaRecord } from "./kafka.ts";
import { isUtf8JsonMediaType, parseMediaType } from "./media-type.ts";

describe("isUtf8JsonMediaType (RFC 9110 8.3.1: case-insensitive, a charset is not another type)", () => {
  const json = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "  application/json ;  charset=UTF-8 ",
    'application/json; charset="UTF-8"',
    "application/json; charset=utf8",
    "application/vnd.shop+json; version=2",
  ];
  for (const value of json) test(`JSON: ${JSON.stringify(value)}`, () => expect(isUtf8JsonMediaType(value)).toBe(true));

  const notJson = ["application/json; charset=iso-8859-1", "application/json; charset=klingon", "text/plain", "application/xml", "application/json;", "json"];
  for (const value of notJson) test(`not: ${JSON.stringify(value)}`, () => expect(isUtf8JsonMediaType(value)).toBe(false));
});

describe("the HTTP and the Kafka binding read a binary message's content type alike", () => {
  const body = new TextEncoder().encode('{"message":"héllo"}');
  const attributesAs = (prefix: string) => Object.fromEntries(Object.entries(featureAttributes).map(([name, value]) => [prefix + name, value]));
  for (const contentType of ["application/json; charset=utf-8", "Application/JSON", 'application/json ; charset="UTF-8"', "text/plain; charset=utf-8"]) {
    test(contentType, async () => {
      const request = new Request("http://localhost/events", { method: "POST", headers: { ...attributesAs("ce-"), "content-type": contentType }, body });
      const { events } = await readCloudEvents(request);
      expect(events).toEqual([fromKafkaRecord({ key: "k", value: body, headers: { ...attributesAs("ce_"), "content-type": contentType } })]);
      expect(events[0]!.datacontenttype).toBe(contentType);
    });
  }
});

describe("parseMediaType remembers what it parsed", () => {
  test("the same text twice is the same answer, frozen, since every caller shares it", () => {
    const first = parseMediaType("application/json; charset=utf-8");
    expect(first).toEqual({ essence: "application/json", type: "application", subtype: "json", parameters: { charset: "utf-8" } });
    expect(parseMediaType("application/json; charset=utf-8")).toBe(first!);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.parameters)).toBe(true);
    expect(parseMediaType("not a media type")).toBeUndefined();
    expect(parseMediaType("not a media type")).toBeUndefined();
  });

  test("past its bound it forgets the oldest texts and still answers every text right", () => {
    for (let i = 0; i < 500; i++) expect(parseMediaType(`application/x-${i}+json`)?.subtype).toBe(`x-${i}+json`);
    expect(parseMediaType("text/plain")?.essence).toBe("text/plain");
  });
});
