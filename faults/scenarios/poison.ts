import { subscriptions } from "../../apps/roster.ts";
import type { ProxyHandler } from "../harness/fault-proxy.ts";
import { passThrough } from "../harness/fault-proxy.ts";
import { checkLoad, startLoad } from "../harness/load-run.ts";
import { type DeadLetterView, listDeadLetters, makePoison, openPublisher, type Poison } from "../harness/poison.ts";
import type { Scenario, ScenarioContext } from "../harness/scenario.ts";
import { waitFor } from "../../lib/testing/index.ts";

/** K retries: each failing poison event is attempted K + 1 times (DISPATCH_MAX_ATTEMPTS), then dead-lettered. */
const K = 7;
const subscribers = subscriptions.filter((s) => (s.types as readonly string[]).includes("com.example.order.created")).map((s) => s.service);

export const poison: Scenario = {
  name: "poison",
  title: "poison events among valid ones",
  fault: `poison order.created events written straight to the topic among valid orders: half refused by the services (422), half failing every time (500, through a proxy in front of ${subscribers.join(" and ")})`,
  faults: ["poison event published", "dead letter written"],
  short: true,
  async run(ctx) {
    const size = ctx.tier === "short" ? { orders: 300, poison: 10, rate: 10 } : { orders: 5000, poison: 100, rate: 15 };
    ctx.setting("retries", `K = ${K} (DISPATCH_MAX_ATTEMPTS=${K + 1}, backoff 100 ms doubling to 2 s): a failing event is attempted ${K + 1} times; a refused one is dead-lettered at its first 422`);
    const failing = new Set<string>();
    const failOnPoison: ProxyHandler = async (push, forward) =>
      push.events.some((e) => failing.has(e.id)) ? new Response("injected handler failure on a poison event", { status: 500 }) : passThrough(push, forward);
    const cluster = await ctx.startCluster({
      proxies: Object.fromEntries(subscribers.map((s) => [s, failOnPoison])),
      envOf: { dispatcher: { DISPATCH_MAX_ATTEMPTS: String(K + 1), DISPATCH_RETRY_BASE_MS: "100", DISPATCH_RETRY_MAX_MS: "2000" } },
    });
    const publisher = await openPublisher(cluster);
    const load = await startLoad(ctx, cluster, { orders: size.orders, ratePerSecond: size.rate });
    const poisons: Poison[] = [];
    for (let i = 0; i < size.poison; i++) {
      // Spread among the valid orders, so poison shares partitions and batches with them.
      await load.atLeast(Math.floor(((i + 1) * size.orders) / (size.poison + 1)));
      const one = makePoison(i, i % 2 === 0 ? "refused" : "failing");
      if (one.kind === "failing") failing.add(one.event.id);
      await publisher.publish([one]);
      poisons.push(one);
      ctx.progress(`${i + 1}/${size.poison} poison events published`);
    }
    ctx.fault("poison event published", `${poisons.filter((p) => p.kind === "refused").length} refused, ${failing.size} failing, keyed by their own order ids over ${12} partitions`, poisons.length);
    checkLoad(ctx, await load.done, size.orders);
    ctx.progress("waiting for the flow to settle");
    await ctx.settle(cluster);
    await checkDeadLetters(ctx, cluster, poisons);

    const attempts = () => Object.fromEntries(subscribers.map((s) => [s, new Map(cluster.proxies[s]!.attempts)]));
    const before = attempts();
    const shared = Object.fromEntries(subscribers.map((s) => [s, new Map(cluster.proxies[s]!.shared)]));
    checkAttempts(ctx, poisons.filter((p) => p.kind === "failing"), before, shared);
    // A restart must not bring a dead-lettered event back: kill -9 both dispatchers, then prove the
    // new ones consume (fresh orders settle) and count the poison's attempts again.
    for (const pick of [0, 1]) await cluster.children.killAndRestart("dispatcher", pick);
    const after = await startLoad(ctx, cluster, { orders: 20, ratePerSecond: 20, customerPrefix: "after-restart", restock: false });
    await after.done;
    await ctx.settle(cluster);
    const again = attempts();
    const redelivered = poisons.filter((p) => subscribers.some((s) => (again[s]!.get(p.event.id) ?? 0) !== (before[s]!.get(p.event.id) ?? 0)));
    ctx.check("no poison event redelivered after the dispatchers' restart", redelivered.length === 0, `${redelivered.length} of ${poisons.length} attempted again after kill -9 of both dispatchers; 20 orders placed after the restart`);
    await publisher.close();
    return cluster;
  },
};

/** Each poison event: exactly one dead letter per subscriber, with the attempts it took; no valid event among them. */
async function checkDeadLetters(ctx: ScenarioContext, cluster: Parameters<typeof listDeadLetters>[0], poisons: Poison[]) {
  const letters = await waitFor(async () => {
    const list = await listDeadLetters(cluster);
    return list.length >= poisons.length * subscribers.length ? list : undefined;
  }, { timeoutMs: 60_000, intervalMs: 1_000, what: "a dead letter per poison event and subscriber" }).catch(() => listDeadLetters(cluster));
  const byEvent = new Map(poisons.map((p) => [p.event.id, p]));
  const wrongCount = poisons.flatMap((p) => subscribers.filter((s) => letters.filter((l) => l.eventId === p.event.id && l.service === s).length !== 1));
  // Failing: exactly K + 1 deliveries, the last answered 500. Refused: given up at its first 422,
  // which may follow retries of a push it shared with a failing event.
  const asExpected = (l: DeadLetterView, p: Poison) =>
    p.kind === "failing" ? l.attempts === K + 1 && l.status === 500 : l.status === 422 && (l.attempts ?? 0) >= 1 && (l.attempts ?? 0) <= K + 1;
  const wrongAttempts = letters.filter((l) => byEvent.has(l.eventId ?? "") && !asExpected(l, byEvent.get(l.eventId!)!));
  const valid = letters.filter((l) => !byEvent.has(l.eventId ?? ""));
  const histogram = (kind: string) => [...new Set(letters.filter((l) => byEvent.get(l.eventId ?? "")?.kind === kind).map((l) => `dl-attempts ${l.attempts} dl-status ${l.status}`))].join(", ");
  ctx.fault("dead letter written", `${letters.length} dead letters; refused: ${histogram("refused") || "none"}; failing: ${histogram("failing") || "none"}`, letters.length);
  ctx.check("one dead letter per poison event and subscriber", wrongCount.length === 0, `${wrongCount.length} of ${poisons.length * subscribers.length} (event, subscriber) pairs without exactly one`);
  ctx.check("dl-attempts K+1 and dl-status 500 for a failing event; dl-status 422 for a refused one", wrongAttempts.length === 0, `${wrongAttempts.length} dead letters otherwise${wrongAttempts.length ? ` (e.g. dl-attempts ${wrongAttempts[0]!.attempts}, dl-status ${wrongAttempts[0]!.status})` : ""}`);
  ctx.check("no valid event dead-lettered", valid.length === 0, `${valid.length} dead letters of valid events${valid.length ? ` (${[...new Set(valid.map((l) => `${l.service} ${l.status ?? "no answer"}`))].join(", ")})` : ""}`);
}

/**
 * What the proxies saw: each failing poison event pushed K + 1 times to each subscriber, plus at
 * most once for each push it shared with other orders that was answered 500 as a whole (the
 * dispatcher charges such a joined delivery to nobody and sends each part again alone). The dead
 * letter's dl-attempts (checkDeadLetters) is the dispatcher's own count: exactly K + 1.
 */
function checkAttempts(ctx: ScenarioContext, failing: Poison[], seen: Record<string, Map<string, number>>, shared: Record<string, Map<string, number>>) {
  const pairs = failing.flatMap((p) => subscribers.map((s) => ({ n: seen[s]!.get(p.event.id) ?? 0, joined: shared[s]!.get(p.event.id) ?? 0 })));
  const off = pairs.filter(({ n, joined }) => n < K + 1 || n > K + 1 + joined).map(({ n }) => n);
  const extra = pairs.reduce((sum, { n }) => sum + Math.max(0, n - (K + 1)), 0);
  ctx.check(`each failing poison event attempted K+1 = ${K + 1} times (plus its sends in shared pushes answered 500 as a whole)`, off.length === 0,
    `${off.length} of ${pairs.length} (event, subscriber) pairs otherwise${off.length ? ` (seen ${[...new Set(off)].sort((a, b) => a - b).join(", ")} times)` : ""}; ${extra} extra sends, each after a shared push answered 500`);
}
