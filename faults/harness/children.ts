import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../lib/testing/index.ts";

export type Env = Record<string, string | undefined>;

/** One process of the flow (`bun apps/start.ts <command>`), with its own log file. */
export type Child = {
  name: string;
  port: number;
  log: string;
  process: ReturnType<typeof Bun.spawn>;
  /** Extra environment this one was started with (kept for its restarts). */
  env: Env;
};

export const repoRoot = join(import.meta.dir, "..", "..");

/** `bun apps/start.ts <command>`, and `bun run dev` (apps/dev/index.ts) for the embedded engines. */
const defaultArgv = (command: string[]) => (command[0] === "dev" ? ["bun", "apps/dev/index.ts"] : ["bun", "apps/start.ts", ...command]);

/**
 * Starts, kills and restarts the processes of one cluster, as a supervisor would: a process killed
 * with `kill -9` is started again at once on the same port, with the same environment.
 */
export function createChildren(workDir: string, baseEnv: () => Env, argvOf = defaultArgv) {
  const children: Child[] = [];
  /** Processes that exited without being asked to: each was started again, as a supervisor would. */
  const crashes: Array<{ name: string; pid: number; code: number | null; why: string }> = [];
  const asked = new Set<Child>();
  let stopping = false;
  let spawned = 0;

  function spawn(command: string[], env: Env, logName: string) {
    const log = join(workDir, `${logName}-${++spawned}.log`);
    const fd = openSync(log, "a");
    const proc = Bun.spawn(argvOf(command), { cwd: repoRoot, env: { ...baseEnv(), ...env }, stdout: fd, stderr: fd });
    closeSync(fd);
    return { log, process: proc };
  }

  /** Runs a one-shot command (migrate, audit, replay…) to its end: its exit code and output. */
  async function run(command: string[], env: Env = {}): Promise<{ code: number; output: string }> {
    const { log, process } = spawn(command, env, command[0]!);
    const code = await process.exited;
    return { code, output: readFileSync(log, "utf8") };
  }

  /** Starts a long-running process and waits for its /health; one that exits first fails with its output. */
  async function start(name: string, port: number, env: Env = {}): Promise<Child> {
    const child: Child = { name, port, env, ...spawn([name], { ...env, PORT: String(port) }, name) };
    children.push(child);
    let ready = false;
    const exited = child.process.exited.then((code) => {
      if (!ready) throw new Error(`${name} exited with ${code} during start-up:\n${readFileSync(child.log, "utf8").slice(-4000)}`);
    });
    try {
      await Promise.race([
        waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, { timeoutMs: 90_000, intervalMs: 50, what: `${name} on :${port}` }),
        exited,
      ]);
    } catch (error) {
      // Never healthy: it must not linger on the port its next attempt needs.
      asked.add(child);
      child.process.kill(9);
      exited.catch(() => {});
      throw error;
    }
    ready = true;
    void child.process.exited.then((code) => {
      if (asked.has(child) || stopping || crashes.length >= 50) return;
      crashes.push({ name, pid: child.process.pid, code, why: lastError(child.log) });
      void restart(name, port, env);
    });
    return child;
  }

  /**
   * compose.yaml restarts a process that died (restart: unless-stopped), again and again while it
   * cannot start (its database still recovering, say), waiting longer each time: so does the harness.
   */
  async function restart(name: string, port: number, env: Env): Promise<void> {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        await start(name, port, env);
        return;
      } catch {
        await Bun.sleep(Math.min(5_000, 250 * 2 ** attempt));
      }
    }
  }

  const alive = (name: string) => children.filter((c) => c.name === name && c.process.exitCode === null && !c.process.killed);

  /** `kill -9` of one live process of that name, then the same process again at once. */
  async function killAndRestart(name: string, pick = 0): Promise<{ killedPid: number; signal: string | null; newPid: number; downMs: number }> {
    const victim = alive(name)[pick % Math.max(1, alive(name).length)];
    if (!victim) throw new Error(`no live ${name} to kill`);
    const killedPid = victim.process.pid;
    const startedAt = Date.now();
    asked.add(victim);
    victim.process.kill(9);
    await victim.process.exited;
    const signal = String(victim.process.signalCode);
    const restarted = await start(victim.name, victim.port, victim.env);
    return { killedPid, signal, newPid: restarted.process.pid, downMs: Date.now() - startedAt };
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it does not exit in time. */
  async function stop(child: Child, graceMs = 15_000): Promise<void> {
    asked.add(child);
    child.process.kill("SIGTERM");
    const timer = setTimeout(() => child.process.kill(9), graceMs);
    await child.process.exited;
    clearTimeout(timer);
  }

  async function stopAll(): Promise<void> {
    stopping = true;
    await Promise.all(children.filter((c) => c.process.exitCode === null).map((c) => stop(c, 10_000)));
  }

  /** Every log line of every process of that name (all its incarnations). */
  function logsOf(name: string): string {
    return children.filter((c) => c.name === name).map((c) => readFileSync(c.log, "utf8")).join("");
  }

  return { children, crashes, run, start, alive, killAndRestart, stop, stopAll, logsOf };
}

/** What a dead process said last: its last error line's message, or its last line. */
function lastError(log: string): string {
  const lines = readFileSync(log, "utf8").trimEnd().split("\n");
  // An uncaught exception prints `TypeError: …` (Bun's report, not JSON); else the last error logged.
  const error = lines.findLast((line) => /^\s*(\w*Error|error): /.test(line)) ?? lines.findLast((line) => /"level":50/.test(line)) ?? lines.at(-1) ?? "";
  return error.replace(/\s+/g, " ").slice(0, 200);
}

export type Children = ReturnType<typeof createChildren>;
