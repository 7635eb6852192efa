import { securityChecks } from "./checks.ts";
import type { Control } from "./genuine.ts";
import { type CheckResult, runCheck } from "./run-check.ts";
import { openWorld } from "./world.ts";

export type SessionOptions = {
  runs: number;
  seed: number;
  /** Only the checks with these ids (all when absent). */
  only?: string[];
  onCheck?: (title: string, index: number, count: number) => void;
  onInput?: (done: number, runs: number) => void;
};

export type Session = { checks: CheckResult[]; controls: Control[]; serverLogErrors: string[]; crashes: string[] };

/**
 * Opens the flow, runs every check against it, closes it. What the services log as errors is
 * collected by the world's logger rather than printed (a 500 would otherwise flood the terminal),
 * and an uncaught exception or unhandled rejection is recorded as a crash instead of ending the run.
 */
export async function runSession(options: SessionOptions): Promise<Session> {
  const crashes: string[] = [];
  const onCrash = (error: unknown) => void crashes.push(String(error).slice(0, 300));
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  const world = await openWorld();
  try {
    const { checks, controls } = await securityChecks(world);
    const chosen = checks.filter((check) => !options.only || options.only.includes(check.id));
    const results: CheckResult[] = [];
    for (const [index, check] of chosen.entries()) {
      options.onCheck?.(check.title, index, chosen.length);
      results.push(await runCheck(world, check, { runs: options.runs, seed: options.seed + index, onInput: (done) => options.onInput?.(done, options.runs) }));
    }
    return { checks: results, controls: [...world.controls, ...controls], serverLogErrors: world.logs.errors, crashes };
  } finally {
    await world.close();
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
  }
}
