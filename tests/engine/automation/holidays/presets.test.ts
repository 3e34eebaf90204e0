import { describe, expect, it } from 'vitest';
import { easterSunday, presetHolidays } from '../../../../engine/automation/holidays/presets';

const dateOf = (country: string, year: number, name: string) =>
  presetHolidays(country, year)?.find((h) => h.name === name)?.date;

describe('holiday presets (pure)', () => {
  it('computes Easter and the holidays that follow it', () => {
    expect(easterSunday(2026).toISOString().slice(0, 10)).toBe('2026-04-05');
    expect(easterSunday(2027).toISOString().slice(0, 10)).toBe('2027-03-28');
    expect(dateOf('GB', 2026, 'Good Friday')).toBe('2026-04-03');
    expect(dateOf('FR', 2026, 'Ascension')).toBe('2026-05-14');
    expect(dateOf('DE', 2026, 'Pfingstmontag')).toBe('2026-05-25');
  });

  it('places the nth and last weekdays of a month', () => {
    expect(dateOf('US', 2026, 'Thanksgiving')).toBe('2026-11-26');
    expect(dateOf('US', 2026, 'Memorial Day')).toBe('2026-05-25');
    expect(dateOf('US', 2027, 'Labor Day')).toBe('2027-09-06');
    expect(dateOf('CA', 2026, 'Thanksgiving')).toBe('2026-10-12');
  });

  it('knows only the countries it has presets for', () => {
    expect(presetHolidays('fr', 2026)?.[0]).toEqual({ name: "Jour de l'an", date: '2026-01-01' });
    expect(presetHolidays('XX', 2026)).toBeUndefined();
  });
});
