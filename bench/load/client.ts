import { bearerFor, orderBody } from "../../lib/testing/index.ts";

export type Target = { url(service: "order" | "inventory"): string };
export type Placed = { orderId: string; sentAt: number; acceptedAt: number };

/** The catalogue of a run: products priced on order and stocked on inventory (plenty: no order runs short). */
export async function stockShelves(target: Target, products: number, unitsEach: number): Promise<string[]> {
  const headers = { "content-type": "application/json", authorization: await bearerFor("bench-staff", "staff") };
  const ids = Array.from({ length: products }, (_, i) => `bench-p${i}`);
  for (const [i, productId] of ids.entries()) {
    const put = async (url: string, body: unknown) => {
      const response = await fetch(url, { method: "PUT", headers, body: JSON.stringify(body) });
      if (response.status !== 200) throw new Error(`PUT ${url}: ${response.status} ${await response.text()}`);
    };
    await put(`${target.url("order")}/products/${productId}`, { name: `Bench product ${i}`, unitPrice: 500 + 100 * i, currency: "JPY" });
    await put(`${target.url("inventory")}/inventory/${productId}`, { available: unitsEach });
  }
  return ids;
}

/**
 * Places orders through `POST /orders` as 50 customers would (a token each, made once): one or
 * two lines, every `declineEvery`-th paid with a declined card (cancelled: a shorter story). An
 * answer other than 202 is a broken run, not a slow one: it is counted, never retried.
 */
export async function createOrderClient(target: Target, products: string[], declineEvery: number) {
  const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => bearerFor(`bench-c${i}`)));
  const failures: Array<{ status: number; body: string }> = [];
  let next = 0;

  function bodyOf(i: number): string {
    const lines = [{ productId: products[i % products.length]!, quantity: 1 + (i % 2) }];
    if (i % 3 === 0 && products.length > 1) lines.push({ productId: products[(i + 1) % products.length]!, quantity: 1 });
    return JSON.stringify(orderBody(lines, { token: declineEvery > 0 && i % declineEvery === declineEvery - 1 ? "tok_declined" : "tok_visa" }));
  }

  return {
    failures,
    /** One order; undefined when it was not accepted (recorded in `failures`). */
    async place(): Promise<Placed | undefined> {
      const i = next++;
      const headers = { "content-type": "application/json", authorization: tokens[i % tokens.length]! };
      const sentAt = Date.now();
      const response = await fetch(`${target.url("order")}/orders`, { method: "POST", headers, body: bodyOf(i) }).catch((error: Error) => ({ status: 0, text: async () => error.message }) as const);
      if (response.status !== 202) {
        if (failures.length < 100) failures.push({ status: response.status, body: (await response.text()).slice(0, 300) });
        else failures.push({ status: response.status, body: "" });
        return undefined;
      }
      const { orderId } = (await (response as Response).json()) as { orderId: string };
      return { orderId, sentAt, acceptedAt: Date.now() };
    },
  };
}

export type OrderClient = Awaited<ReturnType<typeof createOrderClient>>;
