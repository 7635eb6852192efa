/** A push as the proxy saw it: the events' ids and keys (orderId), and the body to forward. */
export type Push = { path: string; headers: Headers; body: string; events: Array<Record<string, unknown> & { id: string }> };

/** Sends a request on to the service; answers with the service's response. */
export type Forward = (path: string, headers: Headers, body: string) => Promise<Response>;

/** What a scenario does with each push on its way: pass it on, change it, fail it, delay it. */
export type ProxyHandler = (push: Push, forward: Forward) => Promise<Response>;

export const passThrough: ProxyHandler = (push, forward) => forward(push.path, push.headers, push.body);

/**
 * An HTTP proxy between the dispatcher and one service's internal listener (the dispatcher's
 * `<SERVICE>_EVENTS_URL` points at it). It counts how often each event id was pushed, and how
 * often it was pushed with other orders' events in a push answered 5xx as a whole (`shared`: the
 * dispatcher charges such a delivery to none of the events of a joined request and sends each
 * part again alone), and lets the scenario's handler inject its fault: no product code changes for it.
 */
export function startFaultProxy(target: string, handler: ProxyHandler) {
  const attempts = new Map<string, number>();
  const shared = new Map<string, number>();
  let requests = 0;
  const forward: Forward = async (path, headers, body) => {
    const outgoing = new Headers(headers);
    outgoing.delete("host");
    outgoing.delete("content-length");
    return fetch(`${target}${path}`, { method: "POST", headers: outgoing, body });
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 120,
    async fetch(request) {
      const { pathname, search } = new URL(request.url);
      if (request.method !== "POST") return fetch(`${target}${pathname}${search}`, { method: request.method, headers: request.headers });
      requests++;
      const body = await request.text();
      const events = eventsOf(body);
      for (const event of events) attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      try {
        const response = await handler({ path: `${pathname}${search}`, headers: request.headers, body, events }, forward);
        if (response.status >= 500 && new Set(events.map(keyOf)).size > 1) for (const event of events) shared.set(event.id, (shared.get(event.id) ?? 0) + 1);
        return response;
      } catch (error) {
        // The service was unreachable (killed, restarting): the dispatcher must see what it would have seen.
        return new Response(String(error), { status: 502 });
      }
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, attempts, shared, requests: () => requests, stop: () => server.stop(true) };
}

export type FaultProxy = ReturnType<typeof startFaultProxy>;

/** The events of a structured or batch CloudEvents body (anything else: none). */
export function eventsOf(body: string): Push["events"] {
  try {
    const parsed = JSON.parse(body) as unknown;
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.filter((e): e is Push["events"][number] => typeof e === "object" && e !== null && typeof (e as { id?: unknown }).id === "string");
  } catch {
    return [];
  }
}

/** The key an event travels under (the order), as the relay keys its record. */
export function keyOf(event: Push["events"][number]): string {
  const data = event.data as { orderId?: unknown } | undefined;
  return typeof data?.orderId === "string" ? data.orderId : event.id;
}
