import { passThrough, type ProxyHandler } from "../harness/fault-proxy.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { countLines } from "../harness/logs.ts";
import type { Scenario } from "../harness/scenario.ts";
import type { Cluster } from "../harness/cluster.ts";

/**
 * The payment gateway fails 10% of its calls: 5% refused (503) and 5% timing out, half of the
 * timeouts after the charge or refund was made (the caller cannot tell which). The sandbox's own
 * fault injection does it (PAYMENT_SANDBOX_TIMEOUT_RATE, PAYMENT_SANDBOX_ERROR_RATE, see
 * docs/operations.md). It has fired only where something shows injected failures: the payment
 * service's log, the payments' last recorded gateway error, or payment's failed answers.
 */
export const gatewayFaults: Scenario = {
  name: "gateway-faults",
  title: "10% gateway timeouts and errors",
  fault: "the payment sandbox fails 10% of its calls: PAYMENT_SANDBOX_TIMEOUT_RATE=0.05, PAYMENT_SANDBOX_ERROR_RATE=0.05",
  faults: ["gateway call failed"],
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 200, rate: 8 } : { orders: 800, rate: 10 };
    const env = { PAYMENT_SANDBOX_TIMEOUT_RATE: "0.05", PAYMENT_SANDBOX_ERROR_RATE: "0.05", PAYMENT_SANDBOX_SEED: String(Date.now() % 100_000) };
    ctx.setting("gateway", Object.entries(env).map(([k, v]) => `${k}=${v}`).join(", "));
    let failedAnswers = 0;
    const watch: ProxyHandler = async (push, forward) => {
      const response = await passThrough(push, forward);
      if (response.status >= 500) failedAnswers++;
      return response;
    };
    const cluster = await ctx.startCluster({ envOf: { payment: env }, proxies: { payment: watch } });
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    // The load pays with tok_visa and tok_declined only: every gateway timeout or refusal is injected.
    const timeouts = countLines(cluster, "payment", /"code":"gateway\.timeout"|did not answer in time \(injected\)/);
    const refusals = countLines(cluster, "payment", /"code":"gateway\.unavailable"|unavailable \(injected\)/);
    const recorded = await recordedInjected(cluster);
    const seen = Math.max(timeouts + refusals, recorded);
    if (seen > 0) {
      ctx.fault("gateway call failed", `payment's log: ${timeouts} gateway timeouts and ${refusals} refusals (503); ${recorded} payments whose last gateway error was injected; payment answered ${failedAnswers} pushes with 5xx`, seen);
    }
    return cluster;
  },
};

/** Payments whose last gateway error (payments.last_error, where the schema keeps one) was injected. */
async function recordedInjected(cluster: Cluster): Promise<number> {
  const [column] = await cluster.state.sql`select 1 from information_schema.columns where table_schema = 'payments' and table_name = 'payments' and column_name = 'last_error'`;
  if (!column) return 0;
  const [row] = await cluster.state.sql`select count(*)::int as n from payments.payments where last_error like '%(injected)%'`;
  return row?.n ?? 0;
}
