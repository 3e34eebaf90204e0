/**
 * Wall-clock arithmetic in IANA time zones with nothing but Intl, so the interpreter workflow can
 * use it deterministically. Semantics (DESIGN.md): a local time inside a spring-forward gap moves
 * to the first valid minute after it; an ambiguous fall-back time takes its first occurrence.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The first valid zone of the candidates, else UTC. */
export function resolveTimeZone(...candidates: (string | null | undefined)[]): string {
  return candidates.find((tz): tz is string => !!tz && isValidTimeZone(tz)) ?? 'UTC';
}

export function wallClockAt(instant: number, timeZone: string): WallClock & { weekday: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const clock = {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
  };
  const weekday = new Date(Date.UTC(clock.year, clock.month - 1, clock.day)).getUTCDay();
  return { ...clock, weekday };
}

function wallMs(c: WallClock): number {
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute);
}

function offsetAt(instant: number, timeZone: string): number {
  const floored = Math.floor(instant / MINUTE) * MINUTE;
  return wallMs(wallClockAt(floored, timeZone)) - floored;
}

/** The instant at which the wall clock of `timeZone` reads `clock`. */
export function instantOf(clock: WallClock, timeZone: string): number {
  const target = wallMs(clock);
  const offsets = new Set([
    offsetAt(target - DAY, timeZone),
    offsetAt(target, timeZone),
    offsetAt(target + DAY, timeZone),
  ]);
  const matches = [...offsets]
    .map((offset) => target - offset)
    .filter((instant) => wallMs(wallClockAt(instant, timeZone)) === target)
    .sort((a, b) => a - b);
  if (matches.length > 0) return matches[0];
  // In a gap: the first instant whose wall clock is past the target, to the minute.
  let lo = target - Math.max(...offsets) - 3 * HOUR;
  let hi = target - Math.min(...offsets) + 3 * HOUR;
  while (hi - lo > MINUTE) {
    const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
    if (wallMs(wallClockAt(mid, timeZone)) > target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Adds whole calendar days to a date, ignoring time zones. */
export function addDays(clock: WallClock, days: number): WallClock {
  const d = new Date(Date.UTC(clock.year, clock.month - 1, clock.day + days));
  return { ...clock, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The next instant after `from` at which the local time is `hh:mm` on an allowed weekday
 * (0 = Sunday), judged on the contact's local date.
 */
export function nextLocalTime(from: number, timeZone: string, time: string, weekdays?: number[]): number {
  const [hour, minute] = time.split(':').map(Number);
  const today = wallClockAt(from, timeZone);
  for (let offset = 0; offset < 8; offset++) {
    const day = addDays({ ...today, hour, minute }, offset);
    const weekday = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
    if (weekdays && weekdays.length > 0 && !weekdays.includes(weekday)) continue;
    const instant = instantOf(day, timeZone);
    if (instant > from) return instant;
  }
  throw new Error(`no allowed weekday in ${JSON.stringify(weekdays)}`);
}

/** Parses `YYYY-MM-DD` (or an ISO timestamp's date part); undefined when it is not a real date. */
export function parseCalendarDate(value: unknown): { year: number; month: number; day: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return { year, month, day };
}

/** A date attribute's value: a calendar date (a day, no time), or an instant. */
export type DateValue =
  | { kind: 'date'; date: { year: number; month: number; day: number } }
  | { kind: 'instant'; at: number };

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const ZONED_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** Below this a number is Unix seconds, above it milliseconds (3 March 1973 in ms; year 5138 in s). */
const SECONDS_LIMIT = 100_000_000_000;

/**
 * Reads a date attribute: `YYYY-MM-DD` is a calendar date; an ISO date-time with a zone (`Z`,
 * `+02:00`) is that instant; one without a zone is that wall-clock time in `timeZone`; a number
 * (or a string of digits) is Unix seconds, or milliseconds when too large for seconds. Anything
 * else, or a date that does not exist, is undefined.
 */
export function parseDateValue(value: unknown, timeZone: string): DateValue | undefined {
  if (typeof value === 'string' && /^\d{9,13}$/.test(value.trim())) value = Number(value.trim());
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return { kind: 'instant', at: Math.round(value < SECONDS_LIMIT ? value * 1000 : value) };
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const date = parseCalendarDate(text.slice(0, 10));
  if (!date) return undefined;
  if (text.length === 10) return { kind: 'date', date };
  if (ZONED_DATE_TIME.test(text)) {
    const at = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(at) ? undefined : { kind: 'instant', at };
  }
  const local = LOCAL_DATE_TIME.exec(text);
  if (!local) return undefined;
  const [hour, minute] = [Number(local[4]), Number(local[5])];
  if (hour > 23 || minute > 59) return undefined;
  return {
    kind: 'instant',
    at: instantOf({ ...date, hour, minute }, timeZone) + Number(local[6] ?? 0) * 1000,
  };
}
