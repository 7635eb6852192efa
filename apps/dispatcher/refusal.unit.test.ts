import { expect, test } from "bun:test";
import { refusalOf } from "./refusal.ts";

test("a problem gives its code and the failing fields; its detail and messages stay out", () => {
  const problem = {
    type: "about:blank",
    status: 422,
    code: "event.invalid_data",
    detail: "the com.example.order.created event e-1 does not match its schema",
    errors: [{ field: "data.shippingAddress.postalCode", message: 'Invalid format: Expected /^\\d{3}-\\d{4}$/ but received "丸の内1-1"' }, { field: "data.payment.token", message: 'received "tok_4242"' }],
  };
  expect(refusalOf(JSON.stringify(problem))).toEqual({ code: "event.invalid_data", fields: ["data.shippingAddress.postalCode", "data.payment.token"] });
});

test("an answer that is no problem says nothing", () => {
  expect(refusalOf("<html>丸の内1-1</html>")).toEqual({});
  expect(refusalOf('"tok_4242"')).toEqual({});
  expect(refusalOf('{"errors":[{"message":"tok_4242"}]}')).toEqual({});
});
