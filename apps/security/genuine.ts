/** A fact checked before the hostile inputs: that honest input does get through. */
export type Control = { what: string; ok: boolean; detail: string };

type Call = (request: Request) => Promise<Response>;
type Product = { productId: string; name: string; unitPrice: number; currency: string; available: number };

/** A valid order for `product`, as the public API takes it: the caller is the token's `sub`. */
export function validOrder(product: Product, overrides: { quantity?: number; token?: string } = {}) {
  return {
    currency: product.currency,
    items: [{ productId: product.productId, quantity: overrides.quantity ?? 1, unitPrice: product.unitPrice }],
    shippingAddress: { prefecture: "東京都", city: "千代田区", line1: "丸の内1-1", postalCode: "100-0005" },
    payment: { method: "credit_card", token: overrides.token ?? "tok_visa" },
  };
}

export function jsonRequest(method: string, path: string, body: unknown, token: string): Request {
  return new Request(`http://localhost${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

async function control(what: string, response: Response, expected: number[]): Promise<Control> {
  const text = await response.text();
  return { what, ok: expected.includes(response.status), detail: `${response.status} ${text.slice(0, 200)}` };
}

/** Stock and a catalogue price for `product`, set as staff. */
export async function stockAndPrice(call: Call, staffToken: string, product: Product): Promise<Control[]> {
  const { productId, name, unitPrice, currency, available } = product;
  const stock = await call(jsonRequest("PUT", `/inventory/${productId}`, { available }, staffToken));
  const price = await call(jsonRequest("PUT", `/products/${productId}`, { name, unitPrice, currency }, staffToken));
  return [
    await control(`staff sets the stock of ${productId} (PUT /inventory)`, stock, [200]),
    await control(`staff sets the price of ${productId} (PUT /products)`, price, [200, 201]),
  ];
}

/**
 * Three honest orders run to their end before any check: one shipped, one declined, one out of
 * stock (charged, then refunded). They leave genuine events of every type in the outboxes, for
 * the replay check, and orders for the forgeries to aim at.
 */
export async function placeGenuineOrders(call: Call, token: string, product: Product): Promise<{ orderIds: string[]; controls: Control[] }> {
  const bodies = [
    ["an honest order is accepted (202)", validOrder(product, { quantity: 2 })],
    ["an honest order with a declined card is accepted (202)", validOrder(product, { token: "tok_declined" })],
    ["an honest order for more than the stock is accepted (202)", validOrder(product, { quantity: product.available + 10 })],
  ] as const;
  const orderIds: string[] = [];
  const controls: Control[] = [];
  for (const [what, body] of bodies) {
    const response = await call(jsonRequest("POST", "/orders", body, token));
    const answer = response.clone();
    controls.push(await control(what, response, [202]));
    if (answer.status === 202) orderIds.push(((await answer.json()) as { orderId: string }).orderId);
  }
  return { orderIds, controls };
}
