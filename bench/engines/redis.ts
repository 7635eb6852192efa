import { join } from "node:path";
import { atAbort } from "./abort.ts";
import { freePort } from "../../lib/testing/index.ts";
import { exec, until } from "./exec.ts";

export type BenchRedis = {
  url: string;
  /** The server's pid when it is ours; undefined for a shared one (its CPU is not ours alone). */
  pid?: number;
  /** INFO commandstats: calls per command so far. */
  commandCalls(): Promise<Map<string, number>>;
  stop(): Promise<void>;
};

const cli = (url: string, ...args: string[]) => {
  const { hostname, port } = new URL(url);
  return exec(["redis-cli", "-h", hostname, "-p", port || "6379", ...args]);
};

/** `cmdstat_get:calls=12,usec=…` lines → calls per command. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

function handle(url: string, pid: number | undefined, stop: () => Promise<void>): BenchRedis {
  return { url, pid, commandCalls: async () => parseCommandStats(await cli(url, "info", "commandstats")), stop };
}

export const externalRedis = (url: string): BenchRedis => handle(url, undefined, async () => {});

/** A Redis of the run's own (no persistence: the idempotency fast path keeps nothing that matters). */
export async function privateRedis(workDir: string): Promise<BenchRedis> {
  const port = freePort();
  const server = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDir], {
    stdout: Bun.file(join(workDir, "redis.log")),
    stderr: "inherit",
  });
  const url = `redis://127.0.0.1:${port}`;
  const forget = atAbort(() => server.kill(9));
  await until(async () => (await cli(url, "ping")).trim() === "PONG", `the run's Redis on :${port}`, 30_000);
  return handle(url, server.pid, async () => {
    forget();
    server.kill("SIGTERM");
    await server.exited;
  });
}
