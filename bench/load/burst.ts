import { perSecond, type Summary, summarize } from "../measure/stats.ts";

export type BurstResult = { perSecond: number; count: number; latencyMs: Summary };

/**
 * As fast as it goes: `connections` clients, each sending its next request as soon as the last is
 * answered, for `durationMs`. Measures how many requests a server accepts per second and how
 * long each waits: the order API, and a hello-world server as the limit of HTTP on this machine.
 */
export async function runBurst(send: () => Promise<boolean>, connections: number, durationMs: number, onTick?: (message: string) => void): Promise<BurstResult> {
  const latencies: number[] = [];
  const startedAt = Date.now();
  const endAt = startedAt + durationMs;
  const ticker = onTick ? setInterval(() => onTick(`${latencies.length} accepted`), 500) : undefined;
  async function worker() {
    while (Date.now() < endAt) {
      const t0 = performance.now();
      if (await send()) latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  if (ticker) clearInterval(ticker);
  return { perSecond: perSecond(latencies.length, Date.now() - startedAt), count: latencies.length, latencyMs: summarize(latencies) };
}
