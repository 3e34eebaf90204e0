import { describe, expect, it } from 'vitest';
import type { ContactFacts } from '../../engine/activities';
import type { ConditionGroup } from '../../engine/audience/conditions/conditions';
import {
  decidableInWorkflow,
  firstMatchingGroupOf,
  hasConditionFields,
} from '../../workflows/journey-run-conditions';

const ada = {
  found: true,
  timezone: 'Europe/Paris',
  workspaceTimezone: 'UTC',
  attributes: { plan: 'pro', orders: 3, address: { country: 'FR' } },
  tags: ['vip'],
  email: 'ada@example.com',
  phone: null,
  externalId: 'u-1',
} satisfies Required<ContactFacts>;

describe('conditions decided in workflow code on the contact snapshot', () => {
  it('decides attributes, tags and steps, and leaves queries to the activity', () => {
    expect(
      decidableInWorkflow([{ match: 'all', conditions: [{ kind: 'tag', tag: 'vip', present: true }] }]),
    ).toBe(true);
    expect(
      decidableInWorkflow([
        { match: 'all', conditions: [{ kind: 'tag', tag: 'vip', present: true }] },
        { match: 'all', conditions: [{ kind: 'event', event: 'Order Completed', minCount: 1 }] },
      ]),
    ).toBe(false);
    expect(
      decidableInWorkflow([{ match: 'all', conditions: [{ kind: 'list', list: 'l', member: true }] }]),
    ).toBe(false);
  });

  it('picks the first group that holds, as the engine does', () => {
    const groups: ConditionGroup[] = [
      // Fails: the tag is missing (all must hold).
      {
        match: 'all',
        conditions: [
          { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' },
          { kind: 'tag', tag: 'churned', present: true },
        ],
      },
      // Holds: 3 orders ≥ "2" (numbers compare with numeric strings) — any one suffices.
      {
        match: 'any',
        conditions: [
          { kind: 'attribute', path: 'address.country', op: 'eq', value: 'DE' },
          { kind: 'attribute', path: 'orders', op: 'gte', value: '2' },
        ],
      },
      { match: 'all', conditions: [{ kind: 'tag', tag: 'vip', present: true }] },
    ];
    expect(firstMatchingGroupOf(groups, ada, {})).toBe(1);
    // The contact's own fields are in the profile under their names.
    expect(
      firstMatchingGroupOf(
        [{ match: 'all', conditions: [{ kind: 'attribute', path: 'userId', op: 'eq', value: 'u-1' }] }],
        ada,
        {},
      ),
    ).toBe(0);
    // A step condition reads the output of an earlier node of the run.
    const stepGroup: ConditionGroup = {
      match: 'all',
      conditions: [{ kind: 'step', nodeId: 'update', path: 'tags', op: 'contains', value: 'seen' }],
    };
    expect(firstMatchingGroupOf([stepGroup], ada, { update: { tags: ['seen'] } })).toBe(0);
    expect(firstMatchingGroupOf([stepGroup], ada, {})).toBe(-1);
    expect(
      firstMatchingGroupOf(
        [{ match: 'all', conditions: [{ kind: 'tag', tag: 'vip', present: false }] }],
        ada,
        {},
      ),
    ).toBe(-1);
  });

  it('sends snapshots recorded before tags were loaded, or of a deleted contact, to the activity', () => {
    const { tags: _tags, ...older } = ada;
    expect(hasConditionFields(older)).toBe(false);
    expect(hasConditionFields({ ...ada, found: false })).toBe(false);
    expect(hasConditionFields(ada)).toBe(true);
  });
});
