import { RedisClient } from "bun";

/**
 * A loopback stand-in for Upstash's REST API, backed by a real Redis, so the Upstash adapter runs
 * the contract against real command semantics without an account or the internet. It implements the
 * subset `@upstash/redis` uses: POST / with one command as a JSON array, POST /pipeline with an
 * array of them (the client batches commands issued in the same tick there by default), Bearer
 * auth, `{ result }` / `{ error }` bodies, and base64 results when asked by `Upstash-Encoding`.
 */
export type UpstashRestServer = { url: string; stop(): Promise<void> };

type Reply = { result: unknown } | { error: string };

export async function startUpstashRestServer(options: { redisUrl: string; token: string }): Promise<UpstashRestServer> {
  const redis = new RedisClient(options.redisUrl);
  await redis.connect();

  async function execute(command: unknown, base64: boolean): Promise<Reply> {
    if (!isCommand(command)) return { error: "ERR a command is a non-empty JSON array of strings and numbers" };
    const [name, ...args] = command.map(String) as [string, ...string[]];
    try {
      return { result: toRest(await redis.send(name.toUpperCase(), args), base64) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (request.headers.get("authorization") !== `Bearer ${options.token}`) {
        return Response.json({ error: "Unauthorized" }, { status: 401 });
      }
      const path = new URL(request.url).pathname;
      if (request.method !== "POST" || (path !== "/" && path !== "/pipeline")) {
        return Response.json({ error: `ERR ${request.method} ${path} is not implemented here` }, { status: 404 });
      }
      const base64 = request.headers.get("upstash-encoding") === "base64";
      const body: unknown = await request.json().catch(() => undefined);
      if (path === "/") {
        const reply = await execute(body, base64);
        return Response.json(reply, { status: "error" in reply ? 400 : 200 });
      }
      if (!Array.isArray(body)) return Response.json({ error: "ERR a pipeline is an array of commands" }, { status: 400 });
      // In order on one connection, like Upstash: a pipeline is not a transaction, errors stay per command.
      return Response.json(await Promise.all(body.map((command) => execute(command, base64))));
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    async stop() {
      await server.stop(true);
      redis.close();
    },
  };
}

function isCommand(value: unknown): value is (string | number | boolean)[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((part) => typeof part === "string" || typeof part === "number" || typeof part === "boolean")
  );
}

/**
 * Bun speaks RESP3; Upstash answers in RESP2 shapes: maps become flat key/value arrays, booleans
 * integers. With base64 on, every string except the status "OK" is encoded, as the client expects.
 */
function toRest(value: unknown, base64: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return base64 && value !== "OK" ? Buffer.from(value).toString("base64") : value;
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return toRest(value.toString(), base64);
  if (Array.isArray(value)) return value.map((item) => toRest(item, base64));
  if (typeof value === "object") return Object.entries(value).flat().map((item) => toRest(item, base64));
  return toRest(String(value), base64);
}
