import { waitFor } from "../../lib/testing/index.ts";
import { type LoadPlan, type LoadResult, type LoadTarget, productIds, runLoad, stockShelves } from "./load.ts";
import type { ScenarioContext } from "./scenario.ts";

/**
 * Load in the background, for faults injected while it runs: shelves stocked for about 90% of
 * the units ordered (so some orders run out of stock and are refunded), then the orders. `atLeast`
 * waits until that many were accepted, to spread faults over the run.
 */
export async function startLoad(ctx: ScenarioContext, cluster: LoadTarget, plan: LoadPlan & { products?: number; restock?: boolean }) {
  const products = plan.products ?? 10;
  // Each order asks for 1.5 units on its first line and a third of a unit on its second, on average.
  const unitsEach = Math.max(1, Math.floor((plan.orders * 1.83 * 0.9) / products));
  let ids = productIds(products);
  if (plan.restock !== false) {
    ids = await stockShelves(cluster, products, unitsEach);
    ctx.setting("load", `${plan.orders} orders at ${plan.ratePerSecond}/s, ${products} products × ${unitsEach} units, every ${plan.declineEvery ?? 10}th card declined`);
  }
  let accepted = 0;
  const done: Promise<LoadResult> = runLoad(cluster, ids, plan, () => accepted++);
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));
  return {
    done,
    accepted: () => accepted,
    finished: () => finished,
    /** Until `n` orders were accepted (or the load ended). */
    atLeast: (n: number) => waitFor(() => accepted >= n || finished, { timeoutMs: 600_000, intervalMs: 50, what: `${n} orders accepted` }),
  };
}

/** The load's own check: every order placed was accepted (the client retried through the faults). */
export function checkLoad(ctx: ScenarioContext, result: LoadResult, orders: number): void {
  ctx.check("every order accepted", result.accepted.length === orders && result.refused === 0,
    `${result.accepted.length} of ${orders} accepted, ${result.refused} refused, ${result.retries} client retries, ${(result.elapsedMs / 1000).toFixed(1)} s`);
}
