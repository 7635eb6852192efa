import { join } from "node:path";
import { portOpen } from "./ports.ts";
import { freePort, waitFor } from "../../lib/testing/index.ts";

/**
 * A Redis of our own (`redis-server --port N`, no persistence), for the scenarios that stop or
 * flush it: FLUSHALL on the shared 6379 would wipe other people's keys.
 */
export type PrivateRedis = {
  url: string;
  port: number;
  pid(): number;
  /** `kill -9`: the server is gone, its keys with it. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** One command through redis-cli, e.g. ["FLUSHALL"] or ["DBSIZE"]. */
  command(args: string[]): Promise<string>;
  destroy(): Promise<void>;
};

export async function startPrivateRedis(workDir: string): Promise<PrivateRedis> {
  const port = freePort();
  let server: ReturnType<typeof Bun.spawn> | undefined;
  const start = async () => {
    server = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDir], {
      stdout: Bun.file(join(workDir, `redis-${port}.log`)),
      stderr: "inherit",
    });
    await waitFor(() => portOpen(port), { timeoutMs: 30_000, what: `private Redis on :${port}` });
  };
  const kill = async () => {
    server?.kill(9);
    await server?.exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => server?.pid ?? 0,
    kill,
    start,
    command: async (args) => {
      const proc = Bun.spawn(["redis-cli", "-p", String(port), ...args], { stdout: "pipe" });
      const out = await new Response(proc.stdout).text();
      await proc.exited;
      return out.trim();
    },
    destroy: kill,
  };
}
