import { describe, expect, it } from 'vitest';
import { compileJourney } from '../../../../engine/automation/journeys/compile';
import type { Plan } from '../../../../engine/automation/journeys/plan';
import { getTemplate, journeyTemplates } from '../../../../engine/automation/journeys/templates/index';
import { validateJourney } from '../../../../engine/automation/journeys/validate';
import { createRegistry } from '../../../../engine/automation/nodes/index';
import { type Duration, durationMs } from '../../../../engine/time/duration';

const registry = createRegistry();

function plan(id: string): Plan {
  const template = getTemplate(id);
  if (!template) throw new Error(`no template ${id}`);
  return compileJourney(template.graph, registry).plan;
}

/** The node ids a run visits when every node leaves by the given port (or `next`). */
function walk(compiled: Plan, ports: Record<string, string> = {}): string[] {
  const path: string[] = [];
  let current: string | null = compiled.trigger;
  while (current) {
    path.push(current);
    current = compiled.nodes[current].next[ports[current] ?? 'next'] ?? null;
  }
  return path;
}

describe('journey templates', () => {
  it('offers the starter journeys, each found by its id', () => {
    expect(journeyTemplates.map((t) => t.id)).toEqual([
      'welcome-series',
      'birthday-greeting',
      'holiday-greeting',
      'abandoned-cart',
      're-engagement',
      'csat-request',
      'support-request-ticket',
    ]);
    for (const template of journeyTemplates) expect(getTemplate(template.id)).toBe(template);
    expect(getTemplate('nope')).toBeUndefined();
  });

  for (const template of journeyTemplates) {
    it(`${template.id} validates with no errors and no warnings, and compiles`, () => {
      expect(validateJourney(template.graph, registry)).toEqual({ valid: true, errors: [], warnings: [] });
      expect(() => compileJourney(template.graph, registry)).not.toThrow();
    });

    it(`${template.id} places and labels every node`, () => {
      for (const node of template.graph.nodes) {
        expect(node.position, node.id).toBeDefined();
        expect(node.label, node.id).toBeTruthy();
      }
    });
  }

  it('welcome-series sends three emails over seven days and stops on an order', () => {
    const compiled = plan('welcome-series');
    const path = walk(compiled).map((id) => compiled.nodes[id]);
    expect(path.filter((n) => n.type === 'email.send').map((n) => n.config.template)).toEqual([
      'welcome-1',
      'welcome-2',
      'welcome-3',
    ]);
    const waited = path
      .filter((n) => n.type === 'wait.duration')
      .reduce((total, n) => total + durationMs(n.config.duration as Duration), 0);
    expect(waited).toBe(durationMs({ amount: 7, unit: 'days' }));
    expect(compiled.settings.goal).toEqual({ event: 'Order Completed' });
  });

  it('birthday-greeting stores the coupon before the email and re-enters at most every 300 days', () => {
    const compiled = plan('birthday-greeting');
    expect(compiled.nodes[compiled.trigger].config).toEqual({
      attribute: 'birthday',
      hour: 9,
      minute: 0,
      offsetDays: 0,
    });
    expect(walk(compiled).map((id) => compiled.nodes[id].type)).toEqual([
      'trigger.date',
      'contact.update',
      'email.send',
      'exit',
    ]);
    expect(compiled.settings.reEntry).toEqual({ mode: 'always', minInterval: { amount: 300, unit: 'days' } });
  });

  it('abandoned-cart exits on an order and texts only contacts with a phone after both timeouts', () => {
    const compiled = plan('abandoned-cart');
    const orderedAtOnce = walk(compiled, { 'wait-1-hour': 'matched' });
    expect(orderedAtOnce.map((id) => compiled.nodes[id].type)).toEqual([
      'trigger.event',
      'wait.event',
      'exit',
    ]);
    const texted = walk(compiled, {
      'wait-1-hour': 'timeout',
      'wait-24-hours': 'timeout',
      'has-phone': 'true',
    });
    expect(texted.map((id) => compiled.nodes[id].type)).toEqual([
      'trigger.event',
      'wait.event',
      'email.send',
      'wait.event',
      'branch.condition',
      'sms.send',
      'exit',
    ]);
    const noPhone = walk(compiled, {
      'wait-1-hour': 'timeout',
      'wait-24-hours': 'timeout',
      'has-phone': 'false',
    });
    expect(noPhone.at(-1)).toBe('no-phone');
    expect(compiled.settings).toMatchObject({
      goal: { event: 'Order Completed' },
      reEntry: { mode: 'after-exit' },
    });
  });

  it('re-engagement counts a return as a goal and otherwise sends the last-chance email', () => {
    const compiled = plan('re-engagement');
    expect(compiled.nodes[compiled.trigger].config).toEqual({ segmentId: 'inactive-30-days' });
    expect(walk(compiled, { 'wait-session': 'matched' }).map((id) => compiled.nodes[id].type)).toEqual([
      'trigger.segment',
      'email.send',
      'wait.event',
      'goal',
    ]);
    const lastChance = walk(compiled, { 'wait-session': 'timeout' });
    expect(compiled.nodes[lastChance[3]].config).toMatchObject({
      template: 'last-chance',
      subject: expect.any(String),
    });
    expect(compiled.nodes[lastChance.at(-1)!].type).toBe('exit');
  });
});
