import { isGroup, type SegmentCondition, type SegmentGroup } from './definition';

/**
 * What changed on a contact, when the caller knows it. Only the segments whose rules read one of
 * these are re-evaluated; without a description every segment is (a new contact, an import, a
 * merge: anything whose effect is not listed here).
 */
export interface ContactChange {
  /** Attributes, identity fields (email, phone, time zone, user id) or tags. */
  profile?: boolean;
  /** Names of events stored for the contact. */
  events?: string[];
  /** Names of lists the contact joined or left. */
  lists?: string[];
}

/** What a segment's rules read of a contact. */
export interface SegmentReads {
  profile: boolean;
  events: Set<string>;
  lists: Set<string>;
  /**
   * Rules whose answer moves without a change a caller describes: time windows, analytics
   * results written by jobs, message statuses, deals and tickets. Such a segment is evaluated
   * on every change, as all segments were before.
   */
  always: boolean;
}

export function segmentReads(definition: SegmentGroup): SegmentReads {
  const reads: SegmentReads = { profile: false, events: new Set(), lists: new Set(), always: false };
  const visit = (rule: SegmentCondition | SegmentGroup) => {
    if (isGroup(rule)) {
      rule.rules.forEach(visit);
      return;
    }
    switch (rule.kind) {
      case 'attribute':
      case 'tag':
        reads.profile = true;
        return;
      case 'event':
        reads.events.add(rule.event);
        if (rule.within) reads.always = true;
        return;
      case 'list':
        reads.lists.add(rule.list);
        return;
      default:
        reads.always = true;
    }
  };
  visit(definition);
  return reads;
}

/** Whether a segment with these reads can answer differently after this change. */
export function canChange(reads: SegmentReads, change: ContactChange | undefined): boolean {
  if (!change || reads.always) return true;
  if (change.profile && reads.profile) return true;
  if (change.events?.some((name) => reads.events.has(name))) return true;
  return change.lists?.some((name) => reads.lists.has(name)) ?? false;
}

/**
 * Both changes at once (a contact's rows delivered together): undefined, "anything may have
 * changed", absorbs the other.
 */
export function unionChange(
  a: ContactChange | undefined,
  b: ContactChange | undefined,
): ContactChange | undefined {
  if (!a || !b) return undefined;
  const events = [...new Set([...(a.events ?? []), ...(b.events ?? [])])].sort();
  const lists = [...new Set([...(a.lists ?? []), ...(b.lists ?? [])])].sort();
  return {
    ...(a.profile || b.profile ? { profile: true } : {}),
    ...(events.length ? { events } : {}),
    ...(lists.length ? { lists } : {}),
  };
}

/** The same text for equal changes (names in any order), so contacts can be grouped by change. */
export function changeKey(change: ContactChange | undefined): string {
  if (!change) return '*';
  return JSON.stringify([
    change.profile === true,
    [...new Set(change.events ?? [])].sort(),
    [...new Set(change.lists ?? [])].sort(),
  ]);
}
