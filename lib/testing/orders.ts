/** Request bodies for the order API, shared by the end-to-end tests. */
export function orderBody(
  items: Array<{ productId: string; quantity: number; unitPrice?: number }>,
  options: { token?: string; userId?: string } = {},
) {
  return {
    userId: options.userId ?? "u-1",
    currency: "JPY",
    items: items.map(({ productId, quantity, unitPrice = 1000 }) => ({ productId, quantity, unitPrice })),
    shippingAddress: { prefecture: "東京都", city: "千代田区", line1: "丸の内1-1", postalCode: "100-0005" },
    payment: { method: "credit_card" as const, token: options.token ?? "tok_visa" },
  };
}

export const terminalStatuses = new Set(["shipped", "cancelled"]);
