import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { atAbort } from "../engines/abort.ts";

export type Env = Record<string, string | undefined>;
export type Spawned = { name: string; pid: number; log: string; process: ReturnType<typeof Bun.spawn> };

export const repoRoot = join(import.meta.dir, "..", "..");

/** Starts `argv` from the repository root with its output in `<workDir>/<name>.log`. */
export function spawnLogged(workDir: string, name: string, argv: string[], env: Env): Spawned {
  const log = join(workDir, `${name}.log`);
  const fd = openSync(log, "a");
  const proc = Bun.spawn(argv, { cwd: repoRoot, env, stdout: fd, stderr: fd });
  closeSync(fd);
  const forget = atAbort(() => proc.kill(9));
  void proc.exited.then(forget);
  return { name, pid: proc.pid, log, process: proc };
}

/** Waits for the process's /health on `port`; one that exits first fails with the end of its log. */
export async function healthy(child: Spawned, port: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with ${child.process.exitCode} during start-up:\n${readFileSync(child.log, "utf8").slice(-3000)}`);
    if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`${child.name} on :${port} not healthy after ${timeoutMs} ms:\n${readFileSync(child.log, "utf8").slice(-3000)}`);
    await Bun.sleep(100);
  }
}

/** SIGTERM (a graceful stop), then SIGKILL if it has not exited in time. */
export async function stopGracefully(child: Spawned, graceMs = 20_000): Promise<void> {
  if (child.process.exitCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill(9), graceMs);
  await child.process.exited;
  clearTimeout(timer);
}
