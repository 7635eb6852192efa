import { describe, expect, test } from "bun:test";
import { type CatalogueEntry, priceLines } from "./pricing.ts";

const catalogue: CatalogueEntry[] = [
  { productId: "tea", unitPrice: 1200, currency: "JPY" },
  { productId: "mug", unitPrice: 3400, currency: "JPY" },
  { productId: "scarf", unitPrice: 25, currency: "USD" },
];

describe("priceLines names every failing line, as the 4xx answer does", () => {
  test("unknown products, each by its line's productId", () => {
    expect(priceLines([{ productId: "tea", quantity: 1 }, { productId: "x", quantity: 1 }, { productId: "y", quantity: 2 }], "JPY", catalogue)).toMatchObject({
      rejected: "order.unknown_product",
      issues: [
        { field: "items.1.productId", message: "no product x in the catalogue" },
        { field: "items.2.productId", message: "no product y in the catalogue" },
      ],
    });
  });

  test("an unknown product is refused before a price that changed", () => {
    const refusal = priceLines([{ productId: "tea", quantity: 1, unitPrice: 1 }, { productId: "x", quantity: 1 }], "JPY", catalogue);
    expect(refusal).toMatchObject({ rejected: "order.unknown_product" });
  });

  test("a line in another currency, by its productId", () => {
    expect(priceLines([{ productId: "tea", quantity: 1 }, { productId: "scarf", quantity: 1 }], "JPY", catalogue)).toMatchObject({
      rejected: "order.currency_mismatch",
      issues: [{ field: "items.1.productId", message: "scarf is sold in USD, not JPY" }],
    });
  });

  test("a changed price, by its line's unitPrice, with the current price", () => {
    const lines = [{ productId: "tea", quantity: 3, unitPrice: 1200 }, { productId: "mug", quantity: 3, unitPrice: 0 }];
    expect(priceLines(lines, "JPY", catalogue)).toEqual({
      rejected: "order.price_changed",
      reason: "the price is 3400 JPY now, not 0",
      issues: [{ field: "items.1.unitPrice", message: "the price is 3400 JPY now, not 0" }],
      current: [{ field: "items.1.unitPrice", productId: "mug", unitPrice: 3400, currency: "JPY" }],
    });
  });

  test("lines without a unitPrice take the catalogue's; the same product twice is priced twice", () => {
    const lines = [{ productId: "mug", quantity: 1 }, { productId: "tea", quantity: 2, unitPrice: 1200 }, { productId: "mug", quantity: 2 }];
    expect(priceLines(lines, "JPY", catalogue)).toEqual([
      { productId: "mug", quantity: 1, unitPrice: 3400 },
      { productId: "tea", quantity: 2, unitPrice: 1200 },
      { productId: "mug", quantity: 2, unitPrice: 3400 },
    ]);
  });
});
