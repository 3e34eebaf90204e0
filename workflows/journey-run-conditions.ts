import type { ContactFacts } from '../engine/activities';
import type { Condition, ConditionGroup } from '../engine/audience/conditions/conditions';
import { matchesCondition, readPath } from '../engine/audience/conditions/filters';

/**
 * Conditions the interpreter decides in workflow code, on the contact snapshot of a local
 * activity and the run's own step outputs: attributes, tags and earlier steps. Anything that
 * needs a query (events, segments, lists, messages, analytics, deals, tickets) stays in the
 * `evaluateBranch` activity. Same rules as `firstMatchingGroup` in the engine.
 */
const IN_WORKFLOW_KINDS = new Set<Condition['kind']>(['attribute', 'tag', 'step']);

export function decidableInWorkflow(groups: ConditionGroup[]): boolean {
  return groups.every((group) => group.conditions.every((c) => IN_WORKFLOW_KINDS.has(c.kind)));
}

/** Whether a snapshot carries the fields these conditions read (results recorded earlier lack tags). */
export function hasConditionFields(contact: ContactFacts): contact is Required<ContactFacts> {
  return contact.found && Array.isArray(contact.tags);
}

function profileOf(contact: Required<ContactFacts>): Record<string, unknown> {
  return {
    ...contact.attributes,
    email: contact.email,
    phone: contact.phone,
    timezone: contact.timezone,
    userId: contact.externalId,
  };
}

/**
 * The values a decision in workflow code read, for the replay: `attribute.<path>`, `tag.<tag>`
 * (whether the contact has it) and `step.<node>.<path>`, as the snapshot had them.
 */
export function decidingValues(
  groups: ConditionGroup[],
  contact: Required<ContactFacts>,
  steps: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  const profile = profileOf(contact);
  const values: Record<string, unknown> = {};
  for (const condition of groups.flatMap((group) => group.conditions)) {
    if (condition.kind === 'attribute') {
      values[`attribute.${condition.path}`] = readPath(profile, condition.path) ?? null;
    } else if (condition.kind === 'tag') {
      values[`tag.${condition.tag}`] = contact.tags.includes(condition.tag);
    } else if (condition.kind === 'step') {
      values[`step.${condition.nodeId}.${condition.path}`] =
        readPath(steps[condition.nodeId] ?? {}, condition.path) ?? null;
    }
  }
  return values;
}

/** Index of the first group that holds for the snapshot, or -1 (only for `decidableInWorkflow` groups). */
export function firstMatchingGroupOf(
  groups: ConditionGroup[],
  contact: Required<ContactFacts>,
  steps: Record<string, Record<string, unknown>>,
): number {
  const profile = profileOf(contact);
  const holds = (condition: Condition): boolean => {
    switch (condition.kind) {
      case 'attribute':
        return matchesCondition(profile, condition);
      case 'tag':
        return contact.tags.includes(condition.tag) === condition.present;
      case 'step':
        return matchesCondition(steps[condition.nodeId] ?? {}, condition);
      default:
        throw new Error(`condition ${condition.kind} is not decided in workflow code`);
    }
  };
  return groups.findIndex((group) =>
    group.match === 'any' ? group.conditions.some(holds) : group.conditions.every(holds),
  );
}
