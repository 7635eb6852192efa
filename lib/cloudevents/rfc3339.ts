/**
 * RFC 3339 section 5.6 `date-time`, checked to the letter (CloudEvents spec, Type System: Timestamp).
 * Unlike valibot's `isoTimestamp()`: offsets must be `Z` or `±hh:mm` (no `+05`), dates must exist
 * (`2018-02-30` fails, `2020-02-29` passes), `t`/`z` may be lower case (5.6 NOTE), and a leap second
 * `:60` is allowed where one can occur (5.7): the last minute of a UTC day.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function isRfc3339(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  // Fields one by one, not destructured from arrays: every event's time passes here.
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  const offsetHour = Number(match[9] ?? 0);
  const offsetMinute = Number(match[10] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (offsetHour > 23 || offsetMinute > 59) return false;
  if (second === 60) {
    // RFC 3339 5.7: leap seconds are inserted at the end of a UTC day, so shift the local time by
    // the offset and require 23:59 UTC.
    const sign = match[8] === "-" ? 1 : -1;
    const utcMinutes = hour * 60 + minute + sign * (offsetHour * 60 + offsetMinute);
    return ((utcMinutes % 1440) + 1440) % 1440 === 23 * 60 + 59;
  }
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// RFC 3339 Appendix C.
function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * The instant a valid RFC 3339 `date-time` names, as a Date. A leap second (`:60`), which a Date
 * cannot hold, becomes the last millisecond before it (`:59.999`): the same order against every
 * other instant but the leap second itself. Fractions beyond milliseconds are dropped. The year
 * may fall outside 0001–9999 after the offset is applied (`9999-12-31T23:59:59-23:59`).
 */
export function instantOf(value: string): Date {
  const leapSecond = /^(.{16}):60(?:\.\d+)?/i;
  return new Date(value.replace(leapSecond, "$1:59.999"));
}
