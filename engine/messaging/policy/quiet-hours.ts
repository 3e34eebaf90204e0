import { nextLocalTime, wallClockAt } from '../../time/zoned';

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/**
 * When `now` falls inside quiet hours in `timeZone`, the instant they end (the next local
 * `end`, DST-aware); otherwise null. A window whose start is after its end spans midnight.
 */
export function quietHoursEnd(
  now: number,
  timeZone: string,
  quiet: { start: string; end: string },
): number | null {
  const clock = wallClockAt(now, timeZone);
  const minute = clock.hour * 60 + clock.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  return inside ? nextLocalTime(now, timeZone, quiet.end) : null;
}
