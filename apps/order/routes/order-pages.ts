import * as v from "valibot";
import { AppError } from "../../../lib/errors/index.ts";
import type { OrderPosition } from "../store/orders.ts";

export const defaultPageSize = 20;
export const maxPageSize = 100;

/** `GET /orders?limit=&cursor=`: `cursor` is the `next` of the page before, opaque to the client. */
export const pageQuery = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, "a whole number"), v.toNumber(), v.minValue(1), v.maxValue(maxPageSize))),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

const position = v.tuple([v.pipe(v.string(), v.isoTimestamp()), v.pipe(v.string(), v.nonEmpty(), v.maxLength(100))]);

/**
 * The position after the last order of a page, as base64url JSON `[createdAt, id]`. Opaque: it
 * only names a place in the caller's own list, so a forged one shows nothing of anyone else's.
 */
export function cursorAfter(order: OrderPosition): string {
  return Buffer.from(JSON.stringify([order.createdAt.toISOString(), order.id])).toString("base64url");
}

export function positionOf(cursor: string): OrderPosition {
  try {
    const parsed = v.safeParse(position, JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return { createdAt: new Date(parsed.output[0]), id: parsed.output[1] };
  } catch {
    // Not base64url JSON: the same answer as a well-formed cursor of the wrong shape.
  }
  throw new AppError("request.invalid", "the query is invalid", { status: 400, issues: [{ field: "cursor", message: "not a cursor this API gave out" }] });
}
