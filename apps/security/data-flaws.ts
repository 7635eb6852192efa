import fc from "fast-check";
import { hostileFor, notANumber, notAString, shown, unknownCurrency } from "./hostile-text.ts";
import { type Path, pathName, withValue, without } from "./json-paths.ts";
import type { FlawedEvent } from "./envelope-flaws.ts";

type Json = Record<string, unknown>;
type Leaf = { path: Path; value: unknown };

/** Every place in `value`: object members, and the first element of each list. */
function places(value: unknown, path: Path = []): Leaf[] {
  if (Array.isArray(value)) return value.length ? [{ path: [...path, 0], value: value[0] }, ...places(value[0], [...path, 0])] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, member]) => [{ path: [...path, key], value: member }, ...places(member, [...path, key])]);
}

// Every member of every event's data is required, except the card token of order.created.
const optional = (path: Path) => path[path.length - 1] === "token";
const isIndex = (path: Path) => typeof path[path.length - 1] === "number";
// stock.insufficient reports what was available, which the schema leaves unbounded.
const unbounded = (path: Path) => path[path.length - 1] === "available";

/** Every way the `data` of a valid `event` can fail its schema (each alone is a 422). */
export function dataFlaw(event: Json): fc.Arbitrary<FlawedEvent> {
  const inData = places(event.data).map((place) => ({ ...place, path: ["data", ...place.path] }));
  const at = (kind: string, path: Path, value: unknown): FlawedEvent => ({ kind, detail: `${pathName(path)} = ${shown(value)}`, event: withValue(event, path, value) as Json });
  const strings = inData.filter((place) => typeof place.value === "string");
  const numbers = inData.filter((place) => typeof place.value === "number");
  const objects = inData.filter((place) => typeof place.value === "object" && place.value !== null && !Array.isArray(place.value));
  const removable = inData.filter((place) => !optional(place.path) && !isIndex(place.path));
  const items = inData.filter((place) => place.path[place.path.length - 1] === "items");
  const currencies = strings.filter((place) => place.path[place.path.length - 1] === "currency");
  const pick = (list: Leaf[]) => fc.constantFrom(...list);
  const options: fc.Arbitrary<FlawedEvent>[] = [
    fc.constantFrom<unknown>(undefined, null, "text", 42, [], true).map((value) =>
      value === undefined ? { kind: "data missing or not an object", detail: "no data", event: without(event, ["data"]) as Json } : at("data missing or not an object", ["data"], value),
    ),
  ];
  // Each kind of flaw where the event has a place for it (order.cancelled has no list, say).
  const where = (list: Leaf[], flaws: (places: fc.Arbitrary<Leaf>) => fc.Arbitrary<FlawedEvent>[]) => {
    if (list.length) options.push(...flaws(pick(list)));
  };
  where(removable, (place) => [place.map(({ path }) => ({ kind: "a data member missing", detail: pathName(path), event: without(event, path) as Json }))]);
  where(strings, (place) => [
    fc.tuple(place, notAString).map(([{ path }, value]) => at("a data member of another type", path, value)),
    fc.tuple(place, hostileFor(200)).map(([{ path }, bad]) => at(`hostile data text: ${bad.kind}`, path, bad.text)),
  ]);
  where(objects, (place) => [fc.tuple(place, fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([]))).map(([{ path }, value]) => at("a data member of another type", path, value))]);
  where(numbers, (place) => [
    fc.tuple(place, notANumber).map(([{ path }, value]) => at("a data member of another type", path, value)),
    fc.tuple(place, fc.double({ min: 0.01, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n))).map(([{ path }, value]) => at("a fractional number", path, value)),
  ]);
  where(numbers.filter((place) => !unbounded(place.path)), (place) => [
    fc.tuple(place, fc.oneof(fc.integer({ min: -1e9, max: -1 }), fc.integer({ min: 1e10, max: 2 ** 52 }), fc.constant(1e308))).map(([{ path }, value]) => at("a number beyond its range", path, value)),
  ]);
  where(currencies, (place) => [fc.tuple(place, unknownCurrency).map(([{ path }, value]) => at("a currency outside ISO 4217", path, value))]);
  where(items, (place) => [
    place.map(({ path }) => at("no lines", path, [])),
    fc.tuple(place, fc.integer({ min: 101, max: 300 })).map(([{ path, value }, count]) => ({
      kind: "more than 100 lines",
      detail: `${pathName(path)}: ${count} lines`,
      event: withValue(event, path, Array.from({ length: count }, () => (value as unknown[])[0])) as Json,
    })),
  ]);
  return fc.oneof(...options);
}
