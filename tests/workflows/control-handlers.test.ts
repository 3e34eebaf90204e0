import { describe, expect, it } from 'vitest';
import { builtInNodes } from '../../engine/automation/nodes';
import { controlNodes } from '../../engine/automation/nodes/control';
import type { ContactView } from '../../engine/automation/runs/types';
import { controlHandlers, isControlType } from '../../workflows/control';
import { resolveUntil } from '../../workflows/control/wait-until';

describe('control node handlers (pure, no Temporal)', () => {
  it('has a handler for every control node the registry knows, and for nothing else', () => {
    const registered = builtInNodes()
      .filter((definition) => definition.kind === 'control')
      .map((definition) => definition.type)
      .sort();
    expect(Object.keys(controlHandlers).sort()).toEqual(registered);
    expect(Object.keys(controlNodes).sort()).toEqual(registered);
    for (const [type, definition] of Object.entries(controlNodes)) expect(definition.type).toBe(type);
  });

  it('leaves action and trigger nodes to the interpreter', () => {
    expect(isControlType('email.send')).toBe(false);
    expect(isControlType('trigger.event')).toBe(false);
    expect(isControlType('toString')).toBe(false);
    expect(isControlType('wait.event')).toBe(true);
  });

  describe('wait.until target', () => {
    const contact = (
      attributes: Record<string, unknown>,
      timezone: string | null = 'Europe/Paris',
    ): ContactView => ({
      found: true,
      timezone,
      attributes,
      workspaceTimezone: 'UTC',
    });
    const now = Date.parse('2024-03-08T12:00:00Z');

    it('waits for an absolute date as given', () => {
      expect(
        resolveUntil({ mode: 'date', at: '2024-04-01T08:00:00+02:00' }, contact({}), undefined, now),
      ).toBe(Date.parse('2024-04-01T06:00:00Z'));
    });

    it('takes the next local time of day in the contact’s zone', () => {
      expect(
        resolveUntil({ mode: 'time-of-day', time: '09:00' }, contact({}, 'Asia/Tokyo'), undefined, now),
      ).toBe(Date.parse('2024-03-09T00:00:00Z'));
    });

    it('reads a date attribute with its offset and time, and reports a missing one', () => {
      const config = { mode: 'attribute' as const, attribute: 'renewal', offsetDays: -1, time: '10:30' };
      expect(resolveUntil(config, contact({ renewal: '2024-06-15' }), undefined, now)).toBe(
        Date.parse('2024-06-14T08:30:00Z'),
      );
      expect(resolveUntil(config, contact({}), undefined, now)).toBe('missing');
      expect(resolveUntil(config, contact({ renewal: 'soon' }), undefined, now)).toBe('missing');
    });

    it('waits until the instant of a date-time attribute, not its midnight', () => {
      const config = { mode: 'attribute' as const, attribute: 'appt', offsetDays: 0, time: '10:30' };
      expect(resolveUntil(config, contact({ appt: '2024-03-08T12:02:00Z' }), undefined, now)).toBe(
        Date.parse('2024-03-08T12:02:00Z'),
      );
      expect(resolveUntil(config, contact({ appt: '2024-03-08T14:02:00+02:00' }), undefined, now)).toBe(
        Date.parse('2024-03-08T12:02:00Z'),
      );
      // Without a zone, the wall-clock time in the contact's zone (Paris, UTC+1 in March).
      expect(resolveUntil(config, contact({ appt: '2024-03-08T13:02' }), undefined, now)).toBe(
        Date.parse('2024-03-08T12:02:00Z'),
      );
      // Runs that started before date-times were read keep the date part, as they did.
      expect(resolveUntil(config, contact({ appt: '2024-03-08T12:02:00Z' }), undefined, now, false)).toBe(
        Date.parse('2024-03-08T09:30:00Z'),
      );
    });

    it('accepts Unix seconds and milliseconds', () => {
      const config = { mode: 'attribute' as const, attribute: 'appt', offsetDays: 0 };
      const at = Date.parse('2024-03-08T12:02:00Z');
      expect(resolveUntil(config, contact({ appt: at / 1000 }), undefined, now)).toBe(at);
      expect(resolveUntil(config, contact({ appt: at }), undefined, now)).toBe(at);
      expect(resolveUntil(config, contact({ appt: String(at / 1000) }), undefined, now)).toBe(at);
    });

    it('applies an offset before or after, by the calendar across a DST change', () => {
      const base = { mode: 'attribute' as const, attribute: 'appt', offsetDays: 0 };
      const appt = contact({ appt: '2024-03-31T10:00:00+02:00' });
      expect(
        resolveUntil(
          { ...base, offset: { amount: 2, unit: 'hours', direction: 'before' } },
          appt,
          undefined,
          now,
        ),
      ).toBe(Date.parse('2024-03-31T06:00:00Z'));
      // One day before, across spring-forward in Paris: still 10:00 local, now UTC+1.
      expect(
        resolveUntil(
          { ...base, offset: { amount: 1, unit: 'days', direction: 'before' } },
          appt,
          undefined,
          now,
        ),
      ).toBe(Date.parse('2024-03-30T09:00:00Z'));
      const dateOnly = contact({ renewal: '2024-10-27' });
      expect(
        resolveUntil(
          {
            ...base,
            attribute: 'renewal',
            time: '09:00',
            offset: { amount: 1, unit: 'days', direction: 'after' },
          },
          dateOnly,
          undefined,
          now,
        ),
      ).toBe(Date.parse('2024-10-28T08:00:00Z'));
    });

    it('takes the first present of several attributes', () => {
      const config = {
        mode: 'attribute' as const,
        attribute: 'trialEnds',
        fallbackAttributes: ['renewal', 'signup'],
        offsetDays: 0,
        time: '09:00',
      };
      expect(
        resolveUntil(config, contact({ renewal: '2024-06-15', signup: '2024-01-01' }), undefined, now),
      ).toBe(Date.parse('2024-06-15T07:00:00Z'));
      expect(resolveUntil(config, contact({ trialEnds: '', renewal: null }), undefined, now)).toBe('missing');
    });
  });
});
