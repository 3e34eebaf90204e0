/**
 * Public holidays by country, computed for any year: fixed dates, "the nth weekday of a month"
 * and Easter-based ones. A preset is a starting point the marketer can edit (custom dates are
 * added beside it), not a legal calendar.
 */

export interface HolidayDate {
  name: string;
  /** YYYY-MM-DD */
  date: string;
}

type Rule =
  | { name: string; month: number; day: number }
  | { name: string; month: number; weekday: number; nth: number }
  | { name: string; easter: number };

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Gregorian Easter Sunday (anonymous Gregorian algorithm). */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

/** The nth (1-based; -1 = last) given weekday (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, nth: number): Date {
  if (nth > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return new Date(Date.UTC(year, month - 1, 1 + ((weekday - first + 7) % 7) + (nth - 1) * 7));
  }
  const last = new Date(Date.UTC(year, month, 0));
  return new Date(Date.UTC(year, month - 1, last.getUTCDate() - ((last.getUTCDay() - weekday + 7) % 7)));
}

const PRESETS: Record<string, { name: string; rules: Rule[] }> = {
  US: {
    name: 'United States',
    rules: [
      { name: "New Year's Day", month: 1, day: 1 },
      { name: 'Martin Luther King Jr. Day', month: 1, weekday: 1, nth: 3 },
      { name: "Presidents' Day", month: 2, weekday: 1, nth: 3 },
      { name: 'Memorial Day', month: 5, weekday: 1, nth: -1 },
      { name: 'Juneteenth', month: 6, day: 19 },
      { name: 'Independence Day', month: 7, day: 4 },
      { name: 'Labor Day', month: 9, weekday: 1, nth: 1 },
      { name: 'Thanksgiving', month: 11, weekday: 4, nth: 4 },
      { name: 'Christmas Day', month: 12, day: 25 },
    ],
  },
  GB: {
    name: 'United Kingdom',
    rules: [
      { name: "New Year's Day", month: 1, day: 1 },
      { name: 'Good Friday', easter: -2 },
      { name: 'Easter Monday', easter: 1 },
      { name: 'Early May Bank Holiday', month: 5, weekday: 1, nth: 1 },
      { name: 'Spring Bank Holiday', month: 5, weekday: 1, nth: -1 },
      { name: 'Summer Bank Holiday', month: 8, weekday: 1, nth: -1 },
      { name: 'Christmas Day', month: 12, day: 25 },
      { name: 'Boxing Day', month: 12, day: 26 },
    ],
  },
  FR: {
    name: 'France',
    rules: [
      { name: "Jour de l'an", month: 1, day: 1 },
      { name: 'Lundi de Pâques', easter: 1 },
      { name: 'Fête du Travail', month: 5, day: 1 },
      { name: 'Victoire 1945', month: 5, day: 8 },
      { name: 'Ascension', easter: 39 },
      { name: 'Lundi de Pentecôte', easter: 50 },
      { name: 'Fête nationale', month: 7, day: 14 },
      { name: 'Assomption', month: 8, day: 15 },
      { name: 'Toussaint', month: 11, day: 1 },
      { name: 'Armistice', month: 11, day: 11 },
      { name: 'Noël', month: 12, day: 25 },
    ],
  },
  DE: {
    name: 'Germany',
    rules: [
      { name: 'Neujahr', month: 1, day: 1 },
      { name: 'Karfreitag', easter: -2 },
      { name: 'Ostermontag', easter: 1 },
      { name: 'Tag der Arbeit', month: 5, day: 1 },
      { name: 'Christi Himmelfahrt', easter: 39 },
      { name: 'Pfingstmontag', easter: 50 },
      { name: 'Tag der Deutschen Einheit', month: 10, day: 3 },
      { name: 'Erster Weihnachtstag', month: 12, day: 25 },
      { name: 'Zweiter Weihnachtstag', month: 12, day: 26 },
    ],
  },
  CA: {
    name: 'Canada',
    rules: [
      { name: "New Year's Day", month: 1, day: 1 },
      { name: 'Good Friday', easter: -2 },
      { name: 'Canada Day', month: 7, day: 1 },
      { name: 'Labour Day', month: 9, weekday: 1, nth: 1 },
      { name: 'Thanksgiving', month: 10, weekday: 1, nth: 2 },
      { name: 'Christmas Day', month: 12, day: 25 },
    ],
  },
};

export const HOLIDAY_COUNTRIES = Object.keys(PRESETS);

export function holidayPresets(): { country: string; name: string }[] {
  return Object.entries(PRESETS).map(([country, preset]) => ({ country, name: preset.name }));
}

/** A country's holidays in one year, in date order; undefined for a country without a preset. */
export function presetHolidays(country: string, year: number): HolidayDate[] | undefined {
  const preset = PRESETS[country.toUpperCase()];
  if (!preset) return undefined;
  return preset.rules
    .map((rule) => {
      const date =
        'easter' in rule
          ? new Date(easterSunday(year).getTime() + rule.easter * 86_400_000)
          : 'weekday' in rule
            ? nthWeekday(year, rule.month, rule.weekday, rule.nth)
            : new Date(Date.UTC(year, rule.month - 1, rule.day));
      return { name: rule.name, date: iso(date) };
    })
    .sort((a, b) => a.date.localeCompare(b.date));
}
