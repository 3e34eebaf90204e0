import { describe, expect, it } from 'vitest';
import {
  candidateMonthDays,
  occurrencesBetween,
} from '../../../../engine/automation/triggers/date-occurrence';
import { wallClockAt } from '../../../../engine/time/zoned';

const nine = { attribute: 'birthday', offsetDays: 0, hour: 9, minute: 0 };
const at = (iso: string) => Date.parse(iso);

describe('date trigger occurrences', () => {
  it('fires at the local hour in the contact’s own time zone', () => {
    const [tokyo] = occurrencesBetween(
      '1990-05-01',
      nine,
      'Asia/Tokyo',
      at('2026-04-30T00:00Z'),
      at('2026-05-02T00:00Z'),
    );
    expect(new Date(tokyo.instant).toISOString()).toBe('2026-05-01T00:00:00.000Z');
    const [newYork] = occurrencesBetween(
      '1990-05-01',
      nine,
      'America/New_York',
      at('2026-04-30T00:00Z'),
      at('2026-05-02T00:00Z'),
    );
    expect(new Date(newYork.instant).toISOString()).toBe('2026-05-01T13:00:00.000Z');
    expect(tokyo.year).toBe(2026);
  });

  it('fires a 29 February date on 28 February in other years, and on 29 February in leap years', () => {
    const [plain] = occurrencesBetween(
      '2000-02-29',
      nine,
      'UTC',
      at('2027-02-01T00:00Z'),
      at('2027-03-31T00:00Z'),
    );
    expect(plain.date).toBe('2027-02-28');
    const [leap] = occurrencesBetween(
      '2000-02-29',
      nine,
      'UTC',
      at('2028-02-01T00:00Z'),
      at('2028-03-31T00:00Z'),
    );
    expect(leap.date).toBe('2028-02-29');
    expect(candidateMonthDays(at('2027-02-28T00:00Z'), at('2027-02-28T12:00Z'), 0)).toContain('02-29');
  });

  it('shifts by the offset in days, across a year boundary', () => {
    const [reminder] = occurrencesBetween(
      '2020-01-02',
      { ...nine, offsetDays: -3 },
      'Europe/Paris',
      at('2026-12-01T00:00Z'),
      at('2027-01-31T00:00Z'),
    );
    expect(reminder.date).toBe('2026-12-30');
    expect(reminder.year).toBe(2027);
    expect(wallClockAt(reminder.instant, 'Europe/Paris').hour).toBe(9);
  });

  it('never fires before the year of the date itself, nor for an invalid date', () => {
    expect(
      occurrencesBetween('2027-03-01', nine, 'UTC', at('2026-01-01T00:00Z'), at('2026-12-31T00:00Z')),
    ).toEqual([]);
    expect(
      occurrencesBetween('2026-02-30', nine, 'UTC', at('2026-01-01T00:00Z'), at('2026-12-31T00:00Z')),
    ).toEqual([]);
    expect(
      occurrencesBetween(19900501, nine, 'UTC', at('2026-01-01T00:00Z'), at('2026-12-31T00:00Z')),
    ).toEqual([]);
  });

  it('moves a local hour inside a spring-forward gap to the first valid minute after it', () => {
    const [gap] = occurrencesBetween(
      '1990-03-08',
      { ...nine, hour: 2, minute: 30 },
      'America/New_York',
      at('2026-03-07T00:00Z'),
      at('2026-03-10T00:00Z'),
    );
    expect(wallClockAt(gap.instant, 'America/New_York')).toMatchObject({ hour: 3, minute: 0 });
  });
});
