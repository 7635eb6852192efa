import { expect, test } from "bun:test";
import { createMemoryLogger } from "./logger.ts";

test("tokens, card tokens, addresses and event data never reach a line", () => {
  const log = createMemoryLogger();
  log.warn(
    {
      authorization: "Bearer eyJsecret",
      headers: { authorization: "Bearer eyJsecret" },
      payment: { method: "credit_card", token: "tok_4242" },
      order: { shippingAddress: { line1: "丸の内1-1" }, payment: { token: "tok_4242" } },
      event: { id: "e-1", type: "com.example.order.created", data: { shippingAddress: { city: "千代田区" } } },
    },
    "refused",
  );
  const line = log.lines().join("");
  for (const secret of ["eyJsecret", "tok_4242", "丸の内", "千代田区"]) expect(line).not.toContain(secret);
  expect(JSON.parse(line)).toMatchObject({ event: { id: "e-1", type: "com.example.order.created" }, msg: "refused" });
});

test("C1 controls, bidi overrides and lone surrogates are written as escapes; the line stays JSON", () => {
  const log = createMemoryLogger();
  log.info({ userId: "u\u009b31mRED\u202eevil\ud800" }, "hostile");
  const [line] = log.lines();
  expect(line).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
  expect(line).toContain("\\u009b");
  expect(line).toContain("\\u202e");
  expect(JSON.parse(line!).userId).toBe("u\u009b31mRED\u202eevil\ud800");
});
