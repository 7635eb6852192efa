/** ~300-byte CloudEvents (structured JSON) keyed by order id, the shape the order flow publishes. */
export type BenchEvent = { key: string; value: Buffer; headers: Record<string, string> };

export function makeEvents(count: number): BenchEvent[] {
  const events: BenchEvent[] = [];
  for (let i = 0; i < count; i++) {
    const orderId = crypto.randomUUID();
    const value = JSON.stringify({
      specversion: "1.0",
      id: crypto.randomUUID(),
      source: "/orderflow/order",
      type: "com.example.order.created",
      time: new Date(1_760_000_000_000 + i).toISOString(),
      datacontenttype: "application/json",
      data: { orderId, customerId: `c-${i % 997}`, items: [{ sku: `sku-${i % 101}`, qty: 1 + (i % 3) }], total: 1999 },
    });
    events.push({ key: orderId, value: Buffer.from(value), headers: { "content-type": "application/cloudevents+json" } });
  }
  return events;
}

/** Rejects when `work` takes longer than `ms`: a stuck client must not hang the benchmark. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type ConsumeTiming = { joinMs: number; drainMs: number };

/** What run.ts measures; one implementation per client, each using that client's idiomatic API. */
export type ClientUnderTest = {
  name: string;
  version: string;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Awaits `send` of `batchSize` records at a time, as the outbox dispatcher would. */
  produceBatched(topic: string, events: BenchEvent[], batchSize: number): Promise<void>;
  /** One `send` per record with up to `inFlight` pending, as request handlers publishing would. */
  produceConcurrent(topic: string, events: BenchEvent[], inFlight: number): Promise<void>;
  /** Joins a new group from the beginning, commits after each batch, stops after `expected`. */
  consume(topic: string, group: string, expected: number): Promise<ConsumeTiming>;
  close(): Promise<void>;
};

/** Runs `send` over `items` with at most `limit` pending at once. */
export async function withConcurrency<T>(items: T[], limit: number, send: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await send(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The installed version of a package, read from its package.json (not every package exports it). */
export function installedVersion(name: string): string {
  let dir = Bun.resolveSync(name, import.meta.dir);
  while (dir !== "/") {
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
    const manifest = `${dir}/package.json`;
    try {
      const parsed = require(manifest) as { name?: string; version?: string };
      if (parsed.name === name && parsed.version) return parsed.version;
    } catch {}
  }
  return "?";
}
