import { addDays, instantOf, parseCalendarDate } from '../../time/zoned';

export interface DateTriggerConfig {
  attribute: string;
  offsetDays: number;
  hour: number;
  minute: number;
}

export interface Occurrence {
  /** The year of the anniversary (part of the trigger id, so each fires once). */
  year: number;
  /** The local calendar date it fires on, YYYY-MM-DD. */
  date: string;
  instant: number;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * The occurrences of a yearly date trigger for one contact whose instants fall in
 * [from, to]: the date's month and day in each year (29 February on 28 February in other
 * years), shifted by `offsetDays`, at `hour:minute` in the contact's zone. Years before the
 * date itself never fire (a renewal date in 2027 does not fire in 2026).
 */
export function occurrencesBetween(
  value: unknown,
  config: DateTriggerConfig,
  timeZone: string,
  from: number,
  to: number,
): Occurrence[] {
  const date = parseCalendarDate(value);
  if (!date || to < from) return [];
  const first = new Date(from).getUTCFullYear() - 2;
  const last = new Date(to).getUTCFullYear() + 2;
  const out: Occurrence[] = [];
  for (let year = Math.max(first, date.year); year <= last; year++) {
    const day = date.month === 2 && date.day === 29 && !isLeap(year) ? 28 : date.day;
    const local = addDays(
      { year, month: date.month, day, hour: config.hour, minute: config.minute },
      config.offsetDays,
    );
    const instant = instantOf(local, timeZone);
    if (instant >= from && instant <= to) {
      const pad = (n: number) => String(n).padStart(2, '0');
      out.push({ year, date: `${local.year}-${pad(local.month)}-${pad(local.day)}`, instant });
    }
  }
  return out;
}

/**
 * Month-days ("MM-DD") a date attribute can have to fire between two instants in any zone:
 * a cheap SQL pre-filter before the exact check per contact.
 */
export function candidateMonthDays(from: number, to: number, offsetDays: number): string[] {
  const DAY = 86_400_000;
  const days = new Set<string>();
  for (let t = from - 2 * DAY; t <= to + 2 * DAY; t += DAY) {
    const d = new Date(t - offsetDays * DAY);
    const md = `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
    days.add(md);
    if (md === '02-28' || md === '03-01') days.add('02-29');
  }
  return [...days];
}
