import fc from "fast-check";
import { validOrder } from "./genuine.ts";
import { hostileFor, notANumber, notAString, shown, unknownCurrency } from "./hostile-text.ts";
import { type Path, pathName, withValue, without } from "./json-paths.ts";
import type { Target } from "./world.ts";

/** One flaw in the body of an otherwise valid order, each of which alone must get a 4xx. */
export type BodyFlaw = { kind: string; detail: string; body: unknown };

const textFields: Array<[Path, number]> = [
  [["items", 0, "productId"], 100],
  [["shippingAddress", "prefecture"], 20],
  [["shippingAddress", "city"], 100],
  [["shippingAddress", "line1"], 200],
  [["payment", "token"], 100],
];
const required: Path[] = [
  ["items"], ["currency"], ["shippingAddress"], ["payment"], ["payment", "method"], ["items", 0, "productId"], ["items", 0, "quantity"],
  ["shippingAddress", "prefecture"], ["shippingAddress", "city"], ["shippingAddress", "line1"], ["shippingAddress", "postalCode"],
];
const strings: Path[] = [["currency"], ["payment", "method"], ["shippingAddress", "postalCode"], ...textFields.map(([path]) => path)];
const objects: Path[] = [["shippingAddress"], ["payment"], ["items", 0]];

const badQuantity = fc.oneof(
  fc.constantFrom(0, -0, 10_001, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.integer({ min: 10_001, max: 2 ** 31 }),
  fc.double({ min: 0.01, max: 9_999, noNaN: true }).filter((n) => !Number.isInteger(n)),
);
const badUnitPrice = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.integer({ min: 1_000_000_001, max: 2 ** 40 }),
  fc.double({ min: 0.01, max: 100_000, noNaN: true }).filter((n) => !Number.isInteger(n)),
);
const badPostalCode = fc.oneof(
  fc.constantFrom("", "100", "100-00051", "1000-005", "abc-defg", "１００-０００５", "100 0005", "100--0005"),
  fc.string({ maxLength: 12 }).filter((text) => !/^\d{3}-?\d{4}$/.test(text)),
);
const badMethod = fc.oneof(fc.constantFrom("", "bitcoin", "CREDIT_CARD", "credit_card ", "cash"), fc.string({ maxLength: 20 }).filter((text) => !["credit_card", "bank_transfer", "convenience_store"].includes(text)));
const otherCurrency = fc.constantFrom("USD", "EUR", "GBP", "KWD", "CNY", "KRW");

/** Every kind of flaw an order body may have; `target` is the catalogue's product, `base` a valid body. */
export function bodyFlaw(target: Target): fc.Arbitrary<BodyFlaw> {
  const base = validOrder(target);
  const at = (kind: string, path: Path, value: unknown): BodyFlaw => ({ kind, detail: `${pathName(path)} = ${shown(value)}`, body: withValue(base, path, value) });
  const line = base.items[0]!;
  return fc.oneof(
    fc.constantFrom(...required).map((path) => ({ kind: "a required field missing", detail: pathName(path), body: without(base, path) })),
    fc.tuple(fc.constantFrom(...strings), notAString).map(([path, value]) => at("a string field of another type", path, value)),
    fc.tuple(fc.constantFrom(...objects), fc.oneof(notAString, fc.string())).filter(([, v]) => typeof v !== "object" || v === null || Array.isArray(v)).map(([path, value]) => at("an object of another type", path, value)),
    fc.tuple(fc.constantFrom<Path>(["items", 0, "quantity"], ["items", 0, "unitPrice"]), notANumber).map(([path, value]) => at("a number field of another type", path, value)),
    badQuantity.map((value) => at("a quantity beyond its range or fractional", ["items", 0, "quantity"], value)),
    badUnitPrice.map((value) => at("a unitPrice beyond its range or fractional", ["items", 0, "unitPrice"], value)),
    fc.integer({ min: 0, max: 100_000_000 }).filter((price) => price !== target.unitPrice).map((value) => at("a unitPrice other than the catalogue's", ["items", 0, "unitPrice"], value)),
    fc.stringMatching(/^nope-[a-z0-9]{1,20}$/).map((value) => at("a product the catalogue does not have", ["items", 0, "productId"], value)),
    fc.constantFrom(...textFields).chain(([path, max]) => hostileFor(max).map((bad) => at(`hostile text: ${bad.kind}`, path, bad.text))),
    hostileFor(3).map((bad) => at(`hostile text: ${bad.kind}`, ["currency"], bad.text)),
    unknownCurrency.map((value) => at("a currency outside ISO 4217", ["currency"], value)),
    otherCurrency.map((value) => at("a currency other than the product's", ["currency"], value)),
    badPostalCode.map((value) => at("a postal code of another shape", ["shippingAddress", "postalCode"], value)),
    badMethod.map((value) => at("an unknown payment method", ["payment", "method"], value)),
    fc.integer({ min: 101, max: 400 }).map((count) => ({ kind: "more than 100 lines", detail: `${count} lines`, body: { ...base, items: Array.from({ length: count }, () => line) } })),
    fc.constant({ kind: "no lines", detail: "items = []", body: { ...base, items: [] } }),
    fc.integer({ min: 60, max: 100 }).map((count) => ({
      kind: "a total beyond the amount cap",
      detail: `${count} lines of 10000 × ${target.unitPrice}`,
      body: { ...base, items: Array.from({ length: count }, () => ({ ...line, quantity: 10_000 })) },
    })),
    fc.oneof(fc.constant(null), fc.constant([]), fc.string(), fc.integer(), fc.boolean(), fc.constant([base])).map((body) => ({ kind: "a body that is not an object", detail: shown(body), body })),
  );
}
