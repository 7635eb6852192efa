import { expect, test } from "bun:test";
import * as v from "valibot";
import { eventCatalog, eventTypes } from "../../lib/events/index.ts";
import { roster } from "../roster.ts";
import { catalogueMarker, renderEventsDoc, subscribersOf } from "./events-doc.ts";
import { eventsDocPath, renderEventsDocFromTemplate } from "./generate.ts";
import { describeFields } from "./schema-fields.ts";

test("docs/events.md is what `bun run docs` renders from the catalogue and the roster", async () => {
  const rendered = await renderEventsDocFromTemplate();
  const onDisk = await Bun.file(eventsDocPath).text();
  if (onDisk !== rendered) throw new Error("docs/events.md is out of date with lib/events/catalog.ts, apps/roster.ts or its template: run `bun run docs`");
});

test("every event type is in the doc with its one-line description", async () => {
  const doc = renderEventsDoc(catalogueMarker);
  for (const type of eventTypes) {
    expect(eventCatalog[type].description).toMatch(/^[A-Z].+\.$/);
    expect(doc).toContain(`| \`${type}\` | ${eventCatalog[type].description} |`);
  }
});

test("subscribers are the roster services whose subscribes lists the type", () => {
  const expected = roster.filter((s) => (s.subscribes as readonly string[]).includes("com.example.stock.reserved")).map((s) => s.name);
  expect(subscribersOf("com.example.stock.reserved")).toEqual(expected);
  expect(subscribersOf("com.example.stock.reserved")).toContain("shipping");
});

test("fields: optional, nested objects, arrays of objects, picklists", () => {
  const schema = v.object({
    id: v.string(),
    note: v.optional(v.string()),
    items: v.pipe(v.array(v.object({ sku: v.string(), count: v.number() })), v.minLength(1)),
    tags: v.array(v.string()),
    payment: v.object({ method: v.picklist(["card", "cash"]), token: v.optional(v.string()) }),
  });
  expect(describeFields(schema)).toBe("id, note?, items[{sku, count}], tags[], payment{method (`card`, `cash`), token?}");
});

test("a template without the catalogue marker is refused", () => {
  expect(() => renderEventsDoc("# no marker")).toThrow(catalogueMarker);
});
