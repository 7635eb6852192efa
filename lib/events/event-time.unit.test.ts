import { expect, test } from "bun:test";
import { eventInstant, isStorableEventTime } from "./event-time.ts";

test.each(["0100-01-01T00:00:00Z", "2016-12-31T23:59:60Z", "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:60Z", "0100-01-01T00:59:00+00:59"])(
  "%s is storable",
  (time) => {
    expect(isStorableEventTime(time)).toBe(true);
    expect(Number.isNaN(eventInstant(time).getTime())).toBe(false);
  },
);

test.each(["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0099-12-31T23:59:59.999Z", "0100-01-01T00:00:00+00:01", "9999-12-31T23:59:59-23:59", "10000-01-01T00:00:00Z"])(
  "%s is not",
  (time) => expect(isStorableEventTime(time)).toBe(false),
);
