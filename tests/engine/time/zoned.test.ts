import { describe, expect, it } from 'vitest';
import {
  instantOf,
  nextLocalTime,
  parseCalendarDate,
  resolveTimeZone,
  wallClockAt,
} from '../../../engine/time/zoned';

const iso = (ms: number) => new Date(ms).toISOString();

describe('local time arithmetic', () => {
  it('finds the instant of a local time in a zone', () => {
    expect(iso(instantOf({ year: 2026, month: 7, day: 1, hour: 9, minute: 0 }, 'Asia/Tokyo'))).toBe(
      '2026-07-01T00:00:00.000Z',
    );
    expect(iso(instantOf({ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, 'America/New_York'))).toBe(
      '2026-01-15T14:00:00.000Z',
    );
  });

  it('moves a time inside a spring-forward gap to the first valid minute after it', () => {
    // 2026-03-08 02:00 → 03:00 in New York: 02:30 does not exist.
    expect(iso(instantOf({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York'))).toBe(
      '2026-03-08T07:00:00.000Z',
    );
  });

  it('takes the first occurrence of an ambiguous fall-back time', () => {
    // 2026-11-01 01:30 happens twice in New York (EDT then EST).
    expect(iso(instantOf({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York'))).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });

  it('keeps the local hour across a daylight-saving change', () => {
    const before = nextLocalTime(Date.parse('2026-03-27T12:00:00Z'), 'Europe/Paris', '09:00');
    const after = nextLocalTime(before, 'Europe/Paris', '09:00');
    expect(iso(before)).toBe('2026-03-28T08:00:00.000Z');
    expect(iso(after)).toBe('2026-03-29T07:00:00.000Z');
    expect(wallClockAt(after, 'Europe/Paris')).toMatchObject({ hour: 9, minute: 0 });
  });

  it('judges allowed weekdays on the contact’s local date', () => {
    // Friday 2026-11-27 23:30 in New York is already Saturday in Tokyo.
    const from = Date.parse('2026-11-28T04:30:00Z');
    expect(iso(nextLocalTime(from, 'America/New_York', '09:00', [1, 2, 3, 4, 5]))).toBe(
      '2026-11-30T14:00:00.000Z',
    );
    expect(iso(nextLocalTime(from, 'Asia/Tokyo', '09:00', [1, 2, 3, 4, 5]))).toBe('2026-11-30T00:00:00.000Z');
  });

  it('continues today when the local time is still ahead, tomorrow when it passed', () => {
    expect(iso(nextLocalTime(Date.parse('2026-11-23T07:00:00Z'), 'Europe/Paris', '09:00'))).toBe(
      '2026-11-23T08:00:00.000Z',
    );
    expect(iso(nextLocalTime(Date.parse('2026-11-23T09:00:00Z'), 'Europe/Paris', '09:00'))).toBe(
      '2026-11-24T08:00:00.000Z',
    );
  });

  it('resolves the contact zone, then the fallbacks, then UTC', () => {
    expect(resolveTimeZone('Asia/Tokyo', 'Europe/Paris')).toBe('Asia/Tokyo');
    expect(resolveTimeZone(null, 'Not/AZone', 'Europe/Paris')).toBe('Europe/Paris');
    expect(resolveTimeZone(undefined, null)).toBe('UTC');
  });

  it('parses real calendar dates only', () => {
    expect(parseCalendarDate('1990-02-28')).toEqual({ year: 1990, month: 2, day: 28 });
    expect(parseCalendarDate('2024-02-29T10:00:00Z')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseCalendarDate('2023-02-29')).toBeUndefined();
    expect(parseCalendarDate('soon')).toBeUndefined();
    expect(parseCalendarDate(19900228)).toBeUndefined();
  });
});
