import { describe, expect, it } from 'vitest';
import { quietHoursEnd } from '../../../../engine/messaging/policy/quiet-hours';

describe('quiet hours', () => {
  const overnight = { start: '21:00', end: '08:00' };

  it("ends at the next local 08:00 of the contact's zone when the window spans midnight", () => {
    // 23:30 in New York (EST) on 10 January.
    const now = Date.parse('2025-01-11T04:30:00Z');
    expect(new Date(quietHoursEnd(now, 'America/New_York', overnight)!).toISOString()).toBe(
      '2025-01-11T13:00:00.000Z',
    );
  });

  it('allows a send outside the window', () => {
    expect(quietHoursEnd(Date.parse('2025-01-10T17:00:00Z'), 'America/New_York', overnight)).toBeNull();
  });

  it('lands on the right local hour across a daylight-saving change', () => {
    // 22:00 on 8 March 2025 (EST); 08:00 next morning is already EDT (UTC-4).
    const now = Date.parse('2025-03-09T03:00:00Z');
    expect(new Date(quietHoursEnd(now, 'America/New_York', overnight)!).toISOString()).toBe(
      '2025-03-09T12:00:00.000Z',
    );
  });
});
