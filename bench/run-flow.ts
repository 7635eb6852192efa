import type { FlowUnderTest, EngineCounters } from "./flow/types.ts";
import { runBurst, type BurstResult } from "./load/burst.ts";
import { createOrderClient, type OrderClient, stockShelves } from "./load/client.ts";
import { type ClosedLoopResult, runClosedLoop } from "./load/closed-loop.ts";
import { type OpenLoopResult, runOpenLoop } from "./load/open-loop.ts";
import { type CompletionTracker, createCompletionTracker } from "./measure/completions.ts";
import { drain } from "./load/watch.ts";
import { type CpuMark, cpuSecondsBetween, createProcessSampler, loadGeneratorName, type Role } from "./measure/processes.ts";
import { type ProfileSummary, readProfiles } from "./measure/profiles.ts";
import { repoRoot } from "./flow/spawn.ts";
import { type HopLatencies, hopLatencies, type StageLatencies, stageLatencies } from "./measure/stages.ts";
import type { Plan } from "./plan.ts";
import type { Progress } from "./progress.ts";

/**
 * CPU seconds of each process over a phase; `completed`: the orders the phase completed, where the
 * phase waits for them (saturation's window, the fixed rates and the soak with their drain); none
 * for the bursts, whose orders complete after them.
 */
export type PhaseCpu = { phase: string; seconds: number; cpuSeconds: Record<string, number>; completed?: number };
export type RatePhase = Omit<OpenLoopResult, "placed"> & { stages: StageLatencies; hops: HopLatencies; orders: number };
export type MemorySeries = Record<string, Array<{ at: number; memoryKiB: number }>>;

export type FlowResult = {
  name: FlowUnderTest["name"];
  engines: string;
  settings: Record<string, string>;
  closedLoop: ClosedLoopResult;
  rates: RatePhase[];
  soak?: RatePhase;
  burst: BurstResult;
  /** The same burst with every process of the flow but an order service frozen: the order API alone (real engines only). */
  burstAlone?: BurstResult;
  cpu: PhaseCpu[];
  peakMemoryMiB: Record<string, number>;
  memory: MemorySeries;
  /** The roles whose memory grows by design, with what it grows with (Role.grows): a soak shows them, not judged. */
  growsByDesign: Record<string, string>;
  /** Each Bun process's CPU profile over the whole run, by process. */
  profiles: Record<string, ProfileSummary>;
  /** Engine counters over the closed loop's measured window, with the orders completed in it. */
  counters?: { before: EngineCounters; after: EngineCounters; completed: number; seconds: number };
  failures: Array<{ status: number; body: string }>;
};

/**
 * A few orders all the way through before anything is measured: consumer groups joined, connection
 * pools filled, code paths compiled. A flow that cannot complete them in a minute and a half is broken.
 */
async function warmUp(client: OrderClient, tracker: CompletionTracker, progress: Progress, label: string): Promise<void> {
  progress.phase(`${label}: warming up (orders all the way through)`);
  const placed = await Promise.all(Array.from({ length: 5 }, () => client.place()));
  const ids = placed.filter((p) => p !== undefined).map((p) => p.orderId);
  if (ids.length < placed.length) throw new Error(`${label}: the warm-up's orders were refused: ${JSON.stringify(client.failures.slice(0, 2))}`);
  if ((await drain(tracker, ids, 90_000, (left) => progress.tick(`${left} in flight`))) > 0) throw new Error(`${label}: the warm-up's orders did not complete within 90 s`);
}

const loadGenerator: Role = { name: loadGeneratorName, pids: () => [process.pid], grows: "every order it placed, kept for the latencies" };

/**
 * Every phase on one running flow: saturation (closed loop), the fixed arrival rates, an optional
 * soak, then the accept burst last (it leaves a backlog that nothing after it waits for). CPU per
 * process is taken per phase; memory is sampled throughout.
 */
export async function runFlowPhases(flow: FlowUnderTest, plan: Plan, progress: Progress): Promise<FlowResult> {
  const label = flow.name === "embedded" ? "embedded" : "Kafka + PostgreSQL + Redis";
  const sampler = createProcessSampler();
  for (const role of flow.roles) sampler.add(role);
  sampler.add(loadGenerator);
  sampler.start();
  const tracker = createCompletionTracker(flow.notificationsFiles);
  const products = await stockShelves(flow, plan.products, 10_000_000);
  const client = await createOrderClient(flow, products, plan.declineEvery);
  const cpu: PhaseCpu[] = [];
  await warmUp(client, tracker, progress, label);
  /** Runs a phase and keeps each process's CPU over it (drain included: the flow works on through it). */
  const measured = async <T>(phase: string, work: () => Promise<T>, completedOf?: (result: T) => number) => {
    const from: CpuMark = sampler.mark();
    const startedAt = Date.now();
    const result = await work();
    const cpuSeconds = Object.fromEntries(cpuSecondsBetween(from, sampler.mark()));
    cpu.push({ phase, seconds: (Date.now() - startedAt) / 1000, cpuSeconds, completed: completedOf?.(result) });
    return result;
  };
  const completedIn = (result: OpenLoopResult) => result.placed.length - result.notCompleted;

  progress.phase(`${label}: saturation, closed loop (${plan.closedLoop.window} orders in flight)`, (plan.closedLoop.warmupMs + plan.closedLoop.measureMs) / 1000);
  let countersBefore: EngineCounters | undefined;
  let countersAfter: EngineCounters | undefined;
  const marks: CpuMark[] = [];
  // CPU and the engines' counters over the measured window only.
  const closedLoop = await runClosedLoop(client, tracker, plan.closedLoop, {
    opened: async () => {
      countersBefore = await flow.counters?.();
      marks.push(sampler.mark());
    },
    closed: async () => {
      marks.push(sampler.mark());
      countersAfter = await flow.counters?.();
    },
  }, (m) => progress.tick(m));
  cpu.push({
    phase: "saturation",
    seconds: plan.closedLoop.measureMs / 1000,
    cpuSeconds: Object.fromEntries(cpuSecondsBetween(marks[0]!, marks[1]!)),
    completed: closedLoop.completedInWindow,
  });
  progress.result(`${label}: ${closedLoop.completedPerSecond.toFixed(1)} completed orders/s (closed loop), ${closedLoop.notCompleted} not completed`);

  const placedByRate: Array<{ result: OpenLoopResult }> = [];
  for (const rate of plan.rates) {
    progress.phase(`${label}: ${rate} orders/s`, plan.rateMs / 1000);
    const result = await measured(`${rate}/s`, () => runOpenLoop(client, tracker, { rate, durationMs: plan.rateMs, drainMs: plan.rateDrainMs }, (m) => progress.tick(m)), completedIn);
    placedByRate.push({ result });
    progress.result(`${label}: ${rate}/s sent at ${result.sentPerSecond.toFixed(1)}/s, ${result.notCompleted} not completed`);
  }
  let soakResult: OpenLoopResult | undefined;
  if (plan.soak) {
    const { rate, durationMs, drainMs } = plan.soak;
    progress.phase(`${label}: soak, ${rate} orders/s for ${durationMs / 60_000} min`, durationMs / 1000);
    soakResult = await measured(`soak ${rate}/s`, () => runOpenLoop(client, tracker, { rate, durationMs, drainMs }, (m) => progress.tick(m)), completedIn);
    progress.result(`${label}: soak sent at ${soakResult.sentPerSecond.toFixed(1)}/s, ${soakResult.inFlightAtEnd} in flight when the last was sent, ${soakResult.notCompleted} not completed`);
  }

  progress.phase(`${label}: accept burst (${plan.burst.connections} clients back to back)`, plan.burst.durationMs / 1000);
  const burst = await measured("accept burst", () => runBurst(async () => Boolean(await client.place()), plan.burst.connections, plan.burst.durationMs, (m) => progress.tick(m)));
  progress.result(`${label}: ${burst.perSecond.toFixed(0)} accepted orders/s, p50 ${burst.latencyMs.p50.toFixed(1)} ms, p99 ${burst.latencyMs.p99.toFixed(1)} ms`);
  const burstAlone = flow.orderApiAlone ? await acceptAlone(flow.orderApiAlone, client, products, plan, progress, label, measured) : undefined;

  progress.phase(`${label}: stopping, reading the effects`);
  const peakMemoryMiB = Object.fromEntries(sampler.roles().map((r) => [r.name, sampler.peakMemoryMiB(r.name)]));
  const memory = Object.fromEntries(sampler.roles().map((r) => [r.name, sampler.memorySeries(r.name)]));
  sampler.stop();
  await flow.stop();
  const profiles = flow.profileDir ? readProfiles(flow.profileDir, repoRoot) : {};
  const effects = await flow.effects();
  const withStages = (result: OpenLoopResult): RatePhase => {
    const { placed, ...rest } = result;
    return { ...rest, orders: placed.length, stages: stageLatencies(placed, effects), hops: hopLatencies(placed, effects) };
  };
  return {
    name: flow.name,
    engines: flow.engines,
    settings: flow.settings,
    closedLoop,
    rates: placedByRate.map(({ result }) => withStages(result)),
    soak: soakResult && withStages(soakResult),
    burst,
    burstAlone,
    cpu,
    peakMemoryMiB,
    memory,
    growsByDesign: Object.fromEntries([...flow.roles, loadGenerator].flatMap((r) => (r.grows ? [[r.name, r.grows]] : []))),
    profiles,
    counters: countersBefore && countersAfter ? { before: countersBefore, after: countersAfter, completed: closedLoop.completedInWindow, seconds: plan.closedLoop.measureMs / 1000 } : undefined,
    failures: client.failures,
  };
}

/**
 * The accept burst again, with every other process of the flow frozen (SIGSTOP): what the order
 * API accepts on its own, as on cores of its own, beside what it accepts while the flow competes
 * for the same two cores. The orders wait in the outbox and flow on after the thaw.
 */
async function acceptAlone(
  orderApiAlone: NonNullable<FlowUnderTest["orderApiAlone"]>,
  client: OrderClient,
  products: string[],
  plan: Plan,
  progress: Progress,
  label: string,
  measured: <T>(phase: string, work: () => Promise<T>, completedOf?: (result: T) => number) => Promise<T>,
): Promise<BurstResult> {
  progress.phase(`${label}: accept burst, the order API alone (the rest of the flow frozen)`, plan.burst.aloneMs / 1000);
  // Started before the measured phase: a process's start-up is not the order API's work.
  const alone = await orderApiAlone();
  const aloneClient = await createOrderClient({ url: () => alone.url }, products, plan.declineEvery);
  try {
    // A new process warms up first (unmeasured, the flow running), as the flow's own order service has by now.
    if (alone.fresh) await runBurst(async () => Boolean(await aloneClient.place()), plan.burst.connections, plan.burst.aloneMs, () => {});
    const result = await measured("accept burst, order API alone", async () => {
      const thaw = await alone.freeze();
      try {
        return await runBurst(async () => Boolean(await aloneClient.place()), plan.burst.connections, plan.burst.aloneMs, (m) => progress.tick(m));
      } finally {
        await thaw();
      }
    });
    progress.result(`${label}: the order API alone: ${result.perSecond.toFixed(0)} accepted orders/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms`);
    return result;
  } finally {
    client.failures.push(...aloneClient.failures);
    await alone.close();
  }
}
