import { signedForTest } from "../../lib/testing/index.ts";
import { keyOf, type ProxyHandler, type Push } from "./fault-proxy.ts";
import { cut, interleaveByKey, moved } from "./shuffle.ts";

/** `reordered`: events moved inside a push; `overtaken`: pushes sent on after one that came in later. */
export type ShuffleStats = { events: number; duplicated: number; concurrent: number; reordered: number; overtaken: number; answeredDuplicate: number };

type Result = { id: string; outcome?: string };

/**
 * The duplicate-and-shuffle fault: each push is reordered across orders (never within one), cut
 * into pushes of 1–3 events, and each of those is sent twice, signed anew (the proxy holds the
 * webhook secret, like a second dispatcher would). The first copy's answer goes back to the
 * dispatcher; the second copy is the fault, its answer only counted.
 */
export function duplicateAndShuffle(stats: ShuffleStats, random: () => number = Math.random): ProxyHandler {
  let arrived = 0;
  let latestSent = 0;
  return async (push, forward) => {
    if (push.events.length === 0) return forward(push.path, push.headers, push.body);
    const arrival = ++arrived;
    // A moment's wait lets pushes of other partitions (other orders), in flight at the same time,
    // overtake this one; a partition's next push waits for this one's answer, so a key keeps its order.
    await Bun.sleep(Math.floor(random() * 40));
    if (latestSent > arrival) stats.overtaken++;
    latestSent = Math.max(latestSent, arrival);
    const order = interleaveByKey(push.events, keyOf, random);
    stats.events += push.events.length;
    stats.reordered += moved(push.events, order);
    const results = new Map<string, Result>();
    for (const chunk of cut(order, 3, random)) {
      const send = async () => {
        const signed = await signedForTest(new Request(`http://proxy${push.path}`, { method: "POST", headers: { "content-type": "application/cloudevents-batch+json" }, body: JSON.stringify(chunk) }));
        return forward(push.path, signed.headers, await signed.text());
      };
      const together = random() < 0.5;
      const [first, second] = together ? await Promise.all([send(), send()]) : [await send(), await send()];
      stats.duplicated += chunk.length;
      if (together) stats.concurrent += chunk.length;
      const secondResults = await resultsOf(second);
      stats.answeredDuplicate += secondResults.filter((r) => r.outcome === "duplicate").length;
      if (!first.ok) return first;
      for (const result of await resultsOf(first)) results.set(result.id, result);
    }
    // The answer in the order the dispatcher sent the events, as the service would give it.
    return Response.json({ results: push.events.map((e: Push["events"][number]) => results.get(e.id) ?? { id: e.id, outcome: "processed" }) });
  };
}

async function resultsOf(response: Response): Promise<Result[]> {
  if (!response.ok) return [];
  const body = (await response.clone().json().catch(() => ({}))) as { results?: Result[] };
  return Array.isArray(body.results) ? body.results : [];
}
