import { bearerFor, orderBody } from "../../lib/testing/index.ts";
/** Where the order and inventory APIs are: a cluster's processes, or `bun run dev`'s one port. */
export type LoadTarget = { url(service: "order" | "inventory"): string };

export type LoadPlan = {
  orders: number;
  /** Orders started per second (at most `concurrency` in flight). */
  ratePerSecond: number;
  concurrency?: number;
  /** Every n-th order pays with a declined card (0: none). */
  declineEvery?: number;
  /** Customer ids are `<prefix>-<n>`; scenarios that hold one customer's order apart use another prefix. */
  customerPrefix?: string;
};

export type LoadResult = { accepted: string[]; refused: number; retries: number; elapsedMs: number };

export const productIds = (count: number) => Array.from({ length: count }, (_, i) => `fault-p${i}`);

/** The catalogue of a run: products priced on order and stocked on inventory, as staff. */
export async function stockShelves(cluster: LoadTarget, products: number, unitsEach: number): Promise<string[]> {
  const headers = { "content-type": "application/json", authorization: await bearerFor("staff-faults", "staff") };
  const ids = productIds(products);
  for (const [i, productId] of ids.entries()) {
    const put = async (url: string, body: unknown) => {
      const response = await fetch(url, { method: "PUT", headers, body: JSON.stringify(body) });
      if (response.status !== 200) throw new Error(`PUT ${url}: ${response.status} ${await response.text()}`);
    };
    await put(`${cluster.url("order")}/products/${productId}`, { name: `Product ${i}`, unitPrice: 500 + 100 * i, currency: "JPY" });
    await put(`${cluster.url("inventory")}/inventory/${productId}`, { available: unitsEach });
  }
  return ids;
}

/**
 * Places orders through `POST /orders` as customers would: each with its own Idempotency-Key,
 * retried with that key on a network error, 429 or 5xx (the order process may be down), so an
 * order is accepted once or refused, never placed twice. 1–2 lines of 1–2 units each.
 */
export function runLoad(cluster: LoadTarget, products: string[], plan: LoadPlan, onAccepted?: (orderId: string) => void): Promise<LoadResult> {
  const { orders, ratePerSecond, concurrency = 16, declineEvery = 10, customerPrefix = "c" } = plan;
  const accepted: string[] = [];
  let refused = 0;
  let retries = 0;
  let next = 0;
  const startedAt = Date.now();
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (customer: string) => tokens.get(customer) ?? tokens.set(customer, bearerFor(customer)).get(customer)!;

  async function place(i: number): Promise<void> {
    const lines = [{ productId: products[i % products.length]!, quantity: 1 + (i % 2) }];
    if (i % 3 === 0) lines.push({ productId: products[(i * 7 + 3) % products.length]!, quantity: 1 });
    const body = JSON.stringify(orderBody(dedupe(lines), { token: declineEvery && i % declineEvery === declineEvery - 1 ? "tok_declined" : "tok_visa" }));
    const customer = `${customerPrefix}-${i % 50}`;
    const headers = { "content-type": "application/json", authorization: await tokenOf(customer), "idempotency-key": `load-${i}-${startedAt}` };
    const deadline = Date.now() + 180_000;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${cluster.url("order")}/orders`, { method: "POST", headers, body }).catch(() => undefined);
      if (response && response.status < 300) {
        accepted.push(((await response.json()) as { orderId: string }).orderId);
        onAccepted?.(accepted.at(-1)!);
        return;
      }
      if (response && response.status < 500 && response.status !== 429 && response.status !== 408) {
        refused++;
        return;
      }
      if (Date.now() > deadline) {
        refused++;
        return;
      }
      retries++;
      await Bun.sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }

  async function worker(): Promise<void> {
    for (let i = next++; i < orders; i = next++) {
      const due = startedAt + (i * 1000) / ratePerSecond;
      if (due > Date.now()) await Bun.sleep(due - Date.now());
      await place(i);
    }
  }

  return Promise.all(Array.from({ length: Math.min(concurrency, orders) }, worker)).then(() => ({ accepted, refused, retries, elapsedMs: Date.now() - startedAt }));
}

function dedupe(lines: Array<{ productId: string; quantity: number }>) {
  return lines.filter((line, index) => lines.findIndex((l) => l.productId === line.productId) === index);
}
