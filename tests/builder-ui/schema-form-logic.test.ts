import { describe, expect, it } from 'vitest';
import { createHistory, record, redo, undo } from '../../builder-ui/src/journeys/model/history';
import { newNodeId } from '../../builder-ui/src/journeys/model/ids';
import { autoLayout } from '../../builder-ui/src/journeys/model/layout';
import { portsOf } from '../../builder-ui/src/journeys/model/ports';
import { summarize } from '../../builder-ui/src/journeys/model/summary';
import { formatOffset } from '../../builder-ui/src/lib/format';
import { defaultValue, discriminatorOf, humanize, switchVariant } from '../../builder-ui/src/lib/schema';
import type { NodeType } from '../../builder-ui/src/lib/types';
import { createRegistry } from '../../engine/automation/nodes';

/** The builder's pure logic, checked against the node types the API really serves. */
const types = new Map(
  createRegistry()
    .describe()
    .map((t) => [t.type, t as unknown as NodeType]),
);

describe('builder form logic on the real node-type schemas', () => {
  it('starts a new node with its schema defaults and leaves required text for the user', () => {
    expect(defaultValue(types.get('sms.send')!.configSchema)).toMatchObject({ transactional: false });
    expect(defaultValue(types.get('sms.send')!.configSchema)).not.toHaveProperty('text');
    expect(defaultValue(types.get('trigger.date')!.configSchema)).toEqual({
      offsetDays: 0,
      hour: 9,
      minute: 0,
    });
  });

  it('edits a discriminated union by its const property and keeps shared fields when switching', () => {
    const variants = types.get('wait.until')!.configSchema.oneOf!;
    expect(discriminatorOf(variants)).toBe('mode');
    expect(defaultValue(types.get('wait.until')!.configSchema)).toEqual({ mode: 'date' });
    const attribute = variants.findIndex((v) => v.properties?.mode?.const === 'attribute');
    expect(switchVariant(variants, attribute, { mode: 'time-of-day', time: '09:30' })).toEqual({
      mode: 'attribute',
      offsetDays: 0,
      time: '09:30',
    });
  });

  it('gives dynamic-port nodes the ports their config declares', () => {
    const ids = (type: string, config: Record<string, unknown>) =>
      portsOf(types.get(type), config).map((p) => p.id);
    expect(
      ids('branch.switch', {
        cases: [
          { port: 'vip', label: 'VIP' },
          { port: 'new', label: 'New' },
        ],
      }),
    ).toEqual(['vip', 'new', 'else']);
    expect(
      ids('split.random', {
        branches: [
          { port: 'a', weight: 1 },
          { port: 'b', weight: 1 },
        ],
      }),
    ).toEqual(['a', 'b']);
    expect(ids('wait.until', { mode: 'attribute', attribute: 'birthday' })).toEqual(['next', 'missing']);
    expect(ids('wait.event', {})).toEqual(['matched', 'timeout']);
  });

  it('labels fields from property names and summarizes nodes in one line', () => {
    expect(humanize('offsetDays')).toBe('Offset days');
    expect(humanize('segmentId')).toBe('Segment');
    expect(summarize('wait.event', { event: 'Order Completed', timeout: { amount: 2, unit: 'hours' } })).toBe(
      '“Order Completed” within 2 hours',
    );
    expect(summarize('acme.crm-sync', { object: 'deal', retries: 3 })).toBe('“deal” · 3');
  });

  it('undoes and redoes whole snapshots', () => {
    let history = createHistory(1);
    history = record(record(history, 2), 3);
    history = undo(undo(history));
    expect(history.present).toBe(1);
    history = redo(history);
    expect(history.present).toBe(2);
    expect(record(history, 5).future).toEqual([]);
  });

  it('names new nodes uniquely and lays a branch out top to bottom', () => {
    expect(newNodeId('sms.send', new Set(['sms-send-1']))).toBe('sms-send-2');
    const positions = autoLayout(
      ['a', 'b', 'c'].map((id) => ({ id, width: 240, height: 100 })),
      [
        { source: 'a', target: 'b' },
        { source: 'a', target: 'c' },
      ],
    );
    expect(positions.get('b')!.y).toBeGreaterThan(positions.get('a')!.y);
    expect(positions.get('b')!.y).toBe(positions.get('c')!.y);
    expect(positions.get('b')!.x).not.toBe(positions.get('c')!.x);
  });

  it('writes simulation times compactly', () => {
    expect(formatOffset(0)).toBe('0');
    expect(formatOffset(30 * 60_000)).toBe('+30 min');
    expect(formatOffset(25 * 3_600_000)).toBe('+1 d 1 h');
  });
});
