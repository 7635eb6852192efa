/**
 * Request bodies for the order API, shared by the tests. The order belongs to the caller's token,
 * and prices come from the catalogue: a line carries `unitPrice` only when the test gives one (a
 * claim the server checks against the catalogue).
 */
export function orderBody(items: Array<{ productId: string; quantity: number; unitPrice?: number }>, options: { token?: string } = {}) {
  return {
    currency: "JPY",
    items: items.map(({ productId, quantity, unitPrice }) => ({ productId, quantity, ...(unitPrice === undefined ? {} : { unitPrice }) })),
    shippingAddress: { prefecture: "東京都", city: "千代田区", line1: "丸の内1-1", postalCode: "100-0005" },
    payment: { method: "credit_card" as const, token: options.token ?? "tok_visa" },
  };
}

export const terminalStatuses = new Set(["shipped", "cancelled"]);
