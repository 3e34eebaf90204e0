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
  });
});
