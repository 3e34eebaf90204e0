import { z } from 'zod';
import { analyticsConditionSchema } from '../conditions/analytics';
import {
  conditionSchema,
  dealConditionSchema,
  engagementConditionSchema,
  ticketConditionSchema,
} from '../conditions/conditions';

/**
 * The rule kinds a segment can use are the branch conditions that depend on the contact alone
 * (attribute, tag, event count and recency, list, analytics results), so a marketer writes one
 * shape in both places.
 */
const [attributeRule, tagRule, eventRule, , listRule] = conditionSchema.options;

export const segmentConditionSchema = z.discriminatedUnion('kind', [
  attributeRule,
  tagRule,
  eventRule.extend({
    maxCount: z.number().int().min(0).optional().describe('At most this many times'),
  }),
  listRule,
  analyticsConditionSchema,
  engagementConditionSchema,
  dealConditionSchema,
  ticketConditionSchema,
]);

export type SegmentCondition = z.infer<typeof segmentConditionSchema>;

export interface SegmentGroup {
  kind?: 'group';
  match: 'all' | 'any';
  rules: (SegmentCondition | SegmentGroup)[];
}

const MAX_DEPTH = 5;

/** AND (`all`) / OR (`any`) of conditions and nested groups. */
export const segmentGroupSchema: z.ZodType<SegmentGroup> = z.lazy(() =>
  z.object({
    kind: z.literal('group').optional(),
    match: z.enum(['all', 'any']).default('all'),
    rules: z
      .array(z.union([segmentConditionSchema, segmentGroupSchema]))
      .min(1)
      .max(100),
  }),
) as unknown as z.ZodType<SegmentGroup>;

// Recursive, so OpenAPI can only describe it as a named component that refers to itself.
z.globalRegistry.add(segmentGroupSchema, { id: 'SegmentGroup' });

export const segmentDefinitionSchema = segmentGroupSchema.refine(
  (group) => depthOf(group) <= MAX_DEPTH,
  `groups nest at most ${MAX_DEPTH} levels deep`,
);

export function isGroup(rule: SegmentCondition | SegmentGroup): rule is SegmentGroup {
  return 'rules' in rule;
}

function depthOf(group: SegmentGroup): number {
  return 1 + Math.max(0, ...group.rules.filter(isGroup).map(depthOf));
}
