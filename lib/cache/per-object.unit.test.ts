import { expect, test } from "bun:test";
import { perObject } from "./per-object.ts";

test("perObject computes once per object, and apart for each object", () => {
  const calls: object[] = [];
  const nameOf = perObject((table: { name: string }) => {
    calls.push(table);
    return table.name.toUpperCase();
  });
  const [a, b] = [{ name: "a" }, { name: "b" }];
  expect([nameOf(a), nameOf(a), nameOf(b), nameOf(a)]).toEqual(["A", "A", "B", "A"]);
  expect(calls).toEqual([a, b]);
});

test("perObject remembers an undefined answer too", () => {
  let calls = 0;
  const nothing = perObject((_key: object) => {
    calls++;
    return undefined;
  });
  const key = {};
  nothing(key);
  nothing(key);
  expect(calls).toBe(1);
});
