import { and, count, eq, gte } from 'drizzle-orm';
import type { Db } from '../../../db';
import { events, listMembers, lists, messages, segmentMembers } from '../../../db/schema';
import { loadAnalyticsProfile } from '../../audience/conditions/analytics';
import type { Condition, ConditionGroup } from '../../audience/conditions/conditions';
import { matchesCondition, matchesFilter } from '../../audience/conditions/filters';
import type { ContactRow } from '../../audience/contacts/contact-store';
import { contactMeets } from '../../audience/segments/compile-sql';
import { durationMs } from '../../time/duration';

export interface ConditionScope {
  db: Db;
  workspaceId: string;
  contact: ContactRow;
  workflowId: string;
  steps: Record<string, Record<string, unknown>>;
  now?: Date;
}

/** Engagement only moves forward, so "opened" also holds for a message that was clicked. */
const statusRank: Record<string, number> = { sent: 1, delivered: 2, opened: 3, clicked: 4 };

/** Index of the first group that holds, or -1. */
export async function firstMatchingGroup(groups: ConditionGroup[], scope: ConditionScope): Promise<number> {
  for (const [index, group] of groups.entries()) {
    if (await groupHolds(group, scope)) return index;
  }
  return -1;
}

async function groupHolds(group: ConditionGroup, scope: ConditionScope): Promise<boolean> {
  for (const condition of group.conditions) {
    const holds = await conditionHolds(condition, scope);
    if (group.match === 'any' && holds) return true;
    if (group.match === 'all' && !holds) return false;
  }
  return group.match === 'all';
}

async function conditionHolds(condition: Condition, scope: ConditionScope): Promise<boolean> {
  const { db, workspaceId, contact } = scope;
  switch (condition.kind) {
    case 'attribute': {
      const profile = {
        ...contact.attributes,
        email: contact.email,
        phone: contact.phone,
        timezone: contact.timezone,
        userId: contact.externalId,
      };
      return matchesCondition(profile, condition);
    }
    case 'tag':
      return contact.tags.includes(condition.tag) === condition.present;
    case 'event': {
      const filters = [
        eq(events.workspaceId, workspaceId),
        eq(events.contactId, contact.id),
        eq(events.name, condition.event),
      ];
      if (condition.within) {
        const since = new Date((scope.now ?? new Date()).getTime() - durationMs(condition.within));
        filters.push(gte(events.receivedAt, since));
      }
      let seen: number;
      if (condition.where?.length) {
        const rows = await db
          .select({ properties: events.properties })
          .from(events)
          .where(and(...filters));
        seen = rows.filter((r) => matchesFilter(r.properties, condition.where)).length;
      } else {
        const [row] = await db
          .select({ n: count() })
          .from(events)
          .where(and(...filters));
        seen = Number(row.n);
      }
      return condition.minCount === 0 ? seen === 0 : seen >= condition.minCount;
    }
    case 'segment': {
      const [row] = await db
        .select({ n: count() })
        .from(segmentMembers)
        .where(
          and(
            eq(segmentMembers.workspaceId, workspaceId),
            eq(segmentMembers.segmentId, condition.segmentId),
            eq(segmentMembers.contactId, contact.id),
          ),
        );
      return Number(row.n) > 0 === condition.member;
    }
    case 'list': {
      const [row] = await db
        .select({ n: count() })
        .from(listMembers)
        .innerJoin(lists, eq(lists.id, listMembers.listId))
        .where(
          and(
            eq(lists.workspaceId, workspaceId),
            eq(lists.name, condition.list),
            eq(listMembers.contactId, contact.id),
          ),
        );
      return Number(row.n) > 0 === condition.member;
    }
    case 'message': {
      const filters = [eq(messages.workspaceId, workspaceId), eq(messages.workflowId, scope.workflowId)];
      if (condition.nodeId) filters.push(eq(messages.nodeId, condition.nodeId));
      const rows = await db
        .select({ status: messages.status })
        .from(messages)
        .where(and(...filters));
      const wanted = statusRank[condition.status];
      return rows.some((r) =>
        wanted ? (statusRank[r.status] ?? 0) >= wanted : r.status === condition.status,
      );
    }
    case 'step':
      return matchesCondition(scope.steps[condition.nodeId] ?? {}, condition);
    case 'engagement':
    case 'deal':
    case 'ticket':
      return contactMeets(db, workspaceId, contact.id, condition, scope.now);
    case 'analytics':
      return matchesCondition(await loadAnalyticsProfile(db, workspaceId, contact.id), {
        path: condition.field,
        op: condition.op,
        value: condition.value,
      });
  }
}
