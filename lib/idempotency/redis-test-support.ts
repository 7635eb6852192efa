import { RedisClient, type Socket, type TCPSocketListener } from "bun";

/** A fresh key namespace per store, so runs and tests sharing one Redis never meet. */
export function uniquePrefix(): string {
  return `test:idempotency:${process.pid}:${crypto.randomUUID()}:`;
}

/** Deletes everything under `prefix` (SCAN, not KEYS: never block a shared server). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new RedisClient(redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = (await redis.send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", "1000"])) as [string, string[]];
      if (keys.length > 0) await redis.send("DEL", keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.close();
  }
}

type Link = { upstream?: Socket<undefined>; pending: Uint8Array[] };

/**
 * A TCP relay in front of a Redis that can be cut and restored on the same port: the only way to
 * take "Redis" down and back up in a test without owning the server.
 */
export function startTcpProxy(target: { hostname: string; port: number }, port = 0): TCPSocketListener<Link> {
  return Bun.listen<Link>({
    hostname: "127.0.0.1",
    port,
    socket: {
      async open(client) {
        client.data = { pending: [] };
        const upstream = await Bun.connect({
          ...target,
          socket: {
            data: (_, chunk) => void client.write(chunk),
            close: () => void client.end(),
            error: () => void client.end(),
          },
        }).catch(() => undefined);
        if (!upstream) return void client.end();
        // Bytes that arrived while we were still connecting upstream (the client's HELLO).
        for (const chunk of client.data.pending) upstream.write(chunk);
        client.data.upstream = upstream;
      },
      data(client, chunk) {
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data.upstream?.end();
      },
    },
  });
}

/** The same Redis URL (credentials, database) pointed at another host and port. */
export function redirect(redisUrl: string, port: number): string {
  const url = new URL(redisUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.toString();
}

export function targetOf(redisUrl: string): { hostname: string; port: number } {
  const url = new URL(redisUrl);
  return { hostname: url.hostname, port: Number(url.port || 6379) };
}
