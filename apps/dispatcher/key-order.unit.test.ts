import { expect, test } from "bun:test";
import { KeyOrder } from "./key-order.ts";

test("a later batch waits for the keys an earlier one holds, and only those", async () => {
  const order = new KeyOrder();
  const first = order.enter(["a", "b"]);
  const second = order.enter(["b", "c"]);
  expect([...first.before.keys()]).toEqual([]);
  expect([...second.before.keys()]).toEqual(["b"]);
  let heard: boolean | undefined;
  void second.before.get("b")!.then((ok) => (heard = ok));
  first.settle("a", true);
  await Bun.sleep(0);
  expect(heard).toBeUndefined();
  first.settle("b", true);
  await Bun.sleep(0);
  expect(heard).toBe(true);
  second.settleRest();
  expect(order.busy).toBe(0);
});

test("a key given up on is given up on by the batches behind it; settling twice changes nothing", async () => {
  const order = new KeyOrder();
  const first = order.enter(["k"]);
  const second = order.enter(["k"]);
  first.settleRest();
  first.settle("k", true);
  expect(await second.before.get("k")).toBe(false);
  const third = order.enter(["k"]);
  second.settle("k", true);
  expect(await third.before.get("k")).toBe(true);
});
