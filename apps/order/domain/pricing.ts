import type { Rejection } from "../../../lib/domain/index.ts";

/** A product's price as the catalogue holds it (orders.products), in the currency's minor unit. */
export type CatalogueEntry = { productId: string; unitPrice: number; currency: string };

/** A line as the customer sends it: `unitPrice` is only the price they saw, a claim to check. */
export type RequestedLine = { productId: string; quantity: number; unitPrice?: number };
export type PricedLine = { productId: string; quantity: number; unitPrice: number };

/** A failing line, named as the 4xx answer names it (`items.0.unitPrice`). */
export type LineIssue = { field: string; message: string };
export type CurrentPrice = CatalogueEntry & { field: string };

/**
 * Why the lines cannot be priced, with every failing line. `price_changed` also carries the
 * catalogue's current price of each such line, so the client can show it and ask again.
 */
export type PricingRefusal = Rejection & { issues: LineIssue[] } & (
    | { rejected: "order.unknown_product" | "order.currency_mismatch" }
    | { rejected: "order.price_changed"; current: CurrentPrice[] }
  );

const field = (i: number, name: "productId" | "unitPrice") => `items.${i}.${name}`;
const reasonOf = (issues: LineIssue[]) => issues.map((issue) => issue.message).join("; ");

/**
 * Prices every line from the catalogue, the only source of prices (docs/architecture.md#trust-boundaries).
 * Refused, in this order: a product the catalogue does not have; a product sold in another
 * currency than the order's; a `unitPrice` sent that is not the catalogue's (the customer saw an
 * old price, or made one up: either way they must agree to the current one first).
 */
export function priceLines(lines: readonly RequestedLine[], currency: string, catalogue: readonly CatalogueEntry[]): PricedLine[] | PricingRefusal {
  const byId = new Map(catalogue.map((entry) => [entry.productId, entry]));
  const unknown = lines.flatMap((line, i) => (byId.has(line.productId) ? [] : [{ field: field(i, "productId"), message: `no product ${line.productId} in the catalogue` }]));
  if (unknown.length > 0) return { rejected: "order.unknown_product", reason: reasonOf(unknown), issues: unknown };

  const priced = lines.map((line) => ({ line, entry: byId.get(line.productId)! }));
  const otherCurrency = priced.flatMap(({ entry }, i) =>
    entry.currency === currency ? [] : [{ field: field(i, "productId"), message: `${entry.productId} is sold in ${entry.currency}, not ${currency}` }],
  );
  if (otherCurrency.length > 0) return { rejected: "order.currency_mismatch", reason: reasonOf(otherCurrency), issues: otherCurrency };

  const changed = priced.flatMap(({ line, entry }, i) => (line.unitPrice === undefined || line.unitPrice === entry.unitPrice ? [] : [{ i, sent: line.unitPrice, entry }]));
  if (changed.length > 0) {
    const current = changed.map(({ i, entry }) => ({ ...entry, field: field(i, "unitPrice") }));
    const issues = changed.map(({ i, sent, entry }) => ({ field: field(i, "unitPrice"), message: `the price is ${entry.unitPrice} ${entry.currency} now, not ${sent}` }));
    return { rejected: "order.price_changed", reason: reasonOf(issues), issues, current };
  }
  return priced.map(({ line, entry }) => ({ productId: line.productId, quantity: line.quantity, unitPrice: entry.unitPrice }));
}
