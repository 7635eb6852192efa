import { expect, test } from "bun:test";
import fc from "fast-check";
import { jsonRequest, validOrder } from "./genuine.ts";
import { runCheck } from "./run-check.ts";
import { runSession } from "./session.ts";
import { openWorld, target } from "./world.ts";

// The checks of `bun run security` with a few inputs each (that command runs 10,000 and writes
// docs/security.md); a new seed each run, shown on failure, so that over time more inputs are tried.
const runs = Number(process.env.SECURITY_RUNS || 150);
const seed = Number(process.env.SECURITY_SEED || Date.now() % 1_000_000);

test("hostile input: malformed orders, malformed, forged and replayed pushes are all refused and change nothing", async () => {
  const session = await runSession({ runs, seed });
  expect(session.controls.filter((control) => !control.ok)).toEqual([]);
  expect(session.crashes).toEqual([]);
  for (const check of session.checks) {
    expect({ check: check.id, seed: check.seed, tried: check.tried }).toEqual({ check: check.id, seed: check.seed, tried: runs });
    expect({ check: check.id, through: check.breaches.slice(0, 5) }).toEqual({ check: check.id, through: [] });
    expect({ check: check.id, serverErrors: check.serverErrors, alive: check.alive, stateAfter: check.stateAfter }).toEqual({ check: check.id, serverErrors: 0, alive: true, stateAfter: [] });
  }
  expect(session.checks.map((check) => check.id)).toEqual(["malformed-orders", "malformed-events", "forged-pushes", "replayed-pushes"]);
}, 120_000);

test("the measure itself: an input that is accepted, or that changes the state, is counted as got through", async () => {
  const world = await openWorld();
  try {
    const honest = await runCheck(
      world,
      {
        id: "honest-orders",
        title: "Honest orders",
        sends: "valid orders",
        expects: "4xx",
        arbitrary: fc.integer({ min: 1, max: 3 }),
        kindOf: () => "valid",
        describe: (quantity) => `quantity ${quantity}`,
        send: async (quantity) => [await world.callPublic(jsonRequest("POST", "/orders", validOrder(target, { quantity: quantity as number }), world.tokens.customer))],
        refused: (response) => response.status >= 400 && response.status < 500,
      },
      { runs: 3, seed: 1 },
    );
    expect(honest).toMatchObject({ tried: 3, through: 3, changedState: 3 });
    expect(honest.stateAfter).toContain("orders.orders");
    expect(honest.breaches[0]?.why).toStartWith("answered 202");
  } finally {
    await world.close();
  }
}, 60_000);
