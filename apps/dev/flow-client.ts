import { expect } from "bun:test";
import type { Role } from "../../lib/security/index.ts";
import type { Flow } from "./compose.ts";

/**
 * The flow's public API as its users reach it, for the end-to-end scenarios: customers and staff
 * with tokens the flow signed, and staff setting stock and prices.
 */
export function flowClient(flowOf: () => Flow) {
  const tokens = new Map<string, Promise<string>>();
  const as = async (sub: string, role: Role = "customer"): Promise<Record<string, string>> => {
    const key = `${role}:${sub}`;
    if (!tokens.has(key)) tokens.set(key, flowOf().tokenFor(sub, role));
    return { authorization: `Bearer ${await tokens.get(key)}` };
  };
  const staff = () => as("staff-1", "staff");
  const call = (path: string, init?: RequestInit) => flowOf().app.request(path, init);
  const send = async (method: string, path: string, body: unknown, caller: Record<string, string>, headers: Record<string, string> = {}) =>
    call(path, { method, headers: { "content-type": "application/json", ...caller, ...headers }, body: JSON.stringify(body) });

  return {
    as,
    staff,
    call,
    send,
    /** GET as `sub` (a customer), or as staff. */
    read: async (path: string, sub?: string) => (await call(path, { headers: sub === undefined ? await staff() : await as(sub) })).json() as Promise<any>,
    post: async (body: unknown, sub = "u-1", headers: Record<string, string> = {}) => send("POST", "/orders", body, await as(sub), headers),
    /** Staff put `available` units on the shelf and price the product. */
    async stock(productId: string, available: number, unitPrice = 1000) {
      expect((await send("PUT", `/inventory/${productId}`, { available }, await staff())).status).toBe(200);
      expect((await send("PUT", `/products/${productId}`, { name: productId, unitPrice, currency: "JPY" }, await staff())).status).toBe(200);
    },
  };
}

export type FlowClient = ReturnType<typeof flowClient>;
