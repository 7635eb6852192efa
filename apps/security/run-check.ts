import fc from "fast-check";
import type { Check } from "./checks.ts";
import { changedBetween } from "./state.ts";
import type { World } from "./world.ts";

/** One input that got through: what it was, and what happened. */
export type Breach = { kind: string; input: string; why: string };

export type CheckResult = {
  id: string;
  title: string;
  sends: string;
  expects: string;
  seed: number;
  tried: number;
  through: number;
  serverErrors: number;
  /** Inputs after which a table or the stock differed; and whether the whole check left any trace. */
  changedState: number;
  stateAfter: string[];
  statuses: Record<string, number>;
  kinds: Record<string, { tried: number; through: number; statuses: Record<string, number> }>;
  breaches: Breach[];
  heapBeforeMiB: number;
  heapAfterMiB: number;
  alive: boolean;
  seconds: number;
};

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
export function heapUsedMiB(): number {
  Bun.gc(true);
  return mib(process.memoryUsage().heapUsed);
}

/** Why this input got through, or undefined when it was refused and changed nothing. */
async function verdict(check: Check, responses: Response[], changed: string[]): Promise<string | undefined> {
  const wrong = responses.find((response) => !check.refused(response));
  if (wrong) {
    const body = (await wrong.text()).slice(0, 240);
    return `answered ${wrong.status} ${wrong.headers.get("content-type") ?? "(no content type)"}: ${body}`;
  }
  return changed.length ? `changed ${changed.join(", ")}` : undefined;
}

type Tally = Pick<CheckResult, "tried" | "through" | "serverErrors" | "changedState" | "statuses" | "kinds" | "breaches">;

/** Counts one input: its answers, whether it changed the state, and whether it got through (`why`). */
async function count(tally: Tally, kind: string, input: string, responses: Response[], changed: string[], why: string | undefined) {
  const kinds = (tally.kinds[kind] ??= { tried: 0, through: 0, statuses: {} });
  for (const response of responses) {
    tally.statuses[response.status] = (tally.statuses[response.status] ?? 0) + 1;
    kinds.statuses[response.status] = (kinds.statuses[response.status] ?? 0) + 1;
    if (response.status >= 500) tally.serverErrors++;
    if (!response.bodyUsed) await response.arrayBuffer();
  }
  tally.tried++;
  kinds.tried++;
  if (changed.length) tally.changedState++;
  if (!why) return;
  tally.through++;
  kinds.through++;
  if (tally.breaches.length < 50) tally.breaches.push({ kind, input, why });
}

/**
 * Runs `check` for `runs` generated inputs, one at a time against the running flow: after each, the
 * answers are judged and the state compared with the state before it. The property itself never
 * fails, so every input runs and is counted (fast-check would stop at the first failure).
 */
export async function runCheck(world: World, check: Check, options: { runs: number; seed: number; onInput?: (done: number) => void }): Promise<CheckResult> {
  const started = Date.now();
  const before = await world.quiet();
  const heapBeforeMiB = heapUsedMiB();
  const tally: Tally = { tried: 0, through: 0, serverErrors: 0, changedState: 0, statuses: {}, kinds: {}, breaches: [] };
  let last = before;
  const property = fc.asyncProperty(check.arbitrary, async (input) => {
    let responses: Response[] = [];
    let why: string | undefined;
    try {
      responses = await check.send(input);
    } catch (error) {
      why = `the request threw: ${String(error).slice(0, 200)}`;
    }
    const now = await world.probe.snapshot();
    const changed = changedBetween(last, now);
    last = now;
    why ??= await verdict(check, responses, changed);
    await count(tally, check.kindOf(input), check.describe(input), responses, changed, why);
    options.onInput?.(tally.tried);
  });
  await fc.assert(property, { numRuns: options.runs, seed: options.seed, endOnFailure: true });
  const after = await world.quiet();
  const heapAfterMiB = heapUsedMiB();
  const { id, title, sends, expects } = check;
  const seconds = Math.round((Date.now() - started) / 1000);
  return { id, title, sends, expects, seed: options.seed, ...tally, stateAfter: changedBetween(before, after), heapBeforeMiB, heapAfterMiB, alive: await world.alive(), seconds };
}
