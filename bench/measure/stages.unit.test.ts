import { expect, test } from "bun:test";
import { hopLatencies, stageLatencies } from "./stages.ts";

test("each stage is its effect's time after the 202, over the orders that went all the way", () => {
  const placed = [
    { orderId: "a", sentAt: 990, acceptedAt: 1_000 },
    { orderId: "b", sentAt: 1_990, acceptedAt: 2_000 },
    { orderId: "declined", sentAt: 2_990, acceptedAt: 3_000 },
  ];
  const effects = new Map([
    ["a", { orderId: "a", paid: 1_010, reserved: 1_020, shipped: 1_030, notified: 1_040, published: {} }],
    ["b", { orderId: "b", paid: 2_030, reserved: 2_060, shipped: 2_090, notified: 2_120, published: {} }],
    ["declined", { orderId: "declined", published: {} }],
  ]);
  const latencies = stageLatencies(placed, effects);
  expect(latencies.paid).toEqual({ count: 2, p50: 10, p95: 30, p99: 30, max: 30 });
  expect(latencies.notified).toEqual({ count: 2, p50: 40, p95: 120, p99: 120, max: 120 });
});

test("the hops split 202 → notified: each relay's publish and each delivery's handling, summing to the whole", () => {
  const placed = [{ orderId: "a", sentAt: 0, acceptedAt: 1_000 }];
  const published = { created: 1_005, paid: 1_030, reserved: 1_050, shipped: 1_080 };
  const effects = new Map([["a", { orderId: "a", paid: 1_020, reserved: 1_040, shipped: 1_060, notified: 1_100, published }]]);
  const medians = hopLatencies(placed, effects).map((h) => h.ms.p50);
  expect(medians).toEqual([5, 15, 10, 10, 10, 10, 20, 20]);
  expect(medians.reduce((a, b) => a + b, 0)).toBe(100);
});
