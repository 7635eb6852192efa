import { expect, test } from "bun:test";
import { AppError } from "../errors/index.ts";
import { applyInOrder, failureOf, type Step } from "./event-outcomes.ts";

const step = (id: string, orderKey: string, fails?: unknown): Step => ({
  id,
  orderKey,
  apply: async () => {
    if (fails !== undefined) throw fails;
    return "processed";
  },
});

test("a failure holds back the later events of its order only; each failure is reported once", async () => {
  const reported: string[] = [];
  const results = await applyInOrder(
    [step("a1", "a"), step("b1", "b", new Error("boom")), step("a2", "a"), step("b2", "b"), step("c1", "c", new AppError("x.bad", "bad", { status: 422 })), step("c2", "c")],
    (failed) => reported.push(failed.id),
  );
  expect(results.map((r) => `${r.id}:${r.outcome}`)).toEqual(["a1:processed", "b1:retry", "a2:processed", "b2:retry", "c1:rejected", "c2:retry"]);
  expect(results[3]?.problem?.code).toBe("event.held");
  expect(reported).toEqual(["b1", "c1"]);
});

test("with concurrency, other orders go on while one waits; each order's events stay in order and a failure still holds its later ones", async () => {
  const applied: string[] = [];
  let releaseA: () => void = () => {};
  const aWaits = new Promise<void>((resolve) => (releaseA = resolve));
  const tracked = (id: string, orderKey: string, run: () => Promise<void> = async () => {}): Step => ({
    id,
    orderKey,
    apply: async () => {
      await run();
      applied.push(id);
      return "processed";
    },
  });
  const results = applyInOrder(
    [
      // a1 waits until b2 has been applied: only concurrent orders let it finish.
      tracked("a1", "a", () => aWaits),
      tracked("b1", "b"),
      tracked("a2", "a"),
      tracked("b2", "b", async () => void queueMicrotask(releaseA)),
      step("c1", "c", new Error("boom")),
      tracked("c2", "c"),
    ],
    () => {},
    { concurrency: 3 },
  );
  const outcomes = (await results).map((r) => `${r.id}:${r.outcome}`);
  expect(outcomes).toEqual(["a1:processed", "b1:processed", "a2:processed", "b2:processed", "c1:retry", "c2:retry"]);
  expect(applied.indexOf("b2")).toBeLessThan(applied.indexOf("a1"));
  expect(applied.indexOf("a1")).toBeLessThan(applied.indexOf("a2"));
  expect(applied).not.toContain("c2");
});

test.each([
  ["an unexpected error", new Error("connection reset"), "retry"],
  ["a retryable 503", new AppError("x.down", "down", { status: 503, retryable: true }), "retry"],
  ["a 409 conflict", new AppError("x.busy", "busy", { status: 409 }), "retry"],
  ["a 429", new AppError("x.throttled", "slow down", { status: 429 }), "retry"],
  ["an AppError without status (500)", new AppError("x.bug", "broken invariant"), "retry"],
  ["a 422", new AppError("x.invalid", "invalid", { status: 422, issues: [{ field: "data.total", message: "negative" }] }), "rejected"],
  ["a 404", new AppError("x.gone", "gone", { status: 404 }), "rejected"],
] as const)("%s is %s", (_name, error, outcome) => {
  const failure = failureOf(error);
  expect(failure.outcome).toBe(outcome);
  expect(failure.problem.code).toBe(error instanceof AppError ? error.code : "internal");
});

test("a rejection names the failing fields; an unexpected error's message stays out of the answer", () => {
  expect(failureOf(new AppError("x.invalid", "invalid", { status: 422, issues: [{ field: "data.total", message: "negative" }] })).problem.errors).toEqual([
    { field: "data.total", message: "negative" },
  ]);
  expect(JSON.stringify(failureOf(new Error("password=hunter2")))).not.toContain("hunter2");
});
