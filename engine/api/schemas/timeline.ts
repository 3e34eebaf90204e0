import { z } from 'zod';
import { contactActivities } from '../../../db/schema';
import { TIMELINE_KINDS, type TimelineItem } from '../../crm/timeline/timeline';
import { describes, type Json, rowSchema } from './common';

export const timelineItemSchema = describes<TimelineItem>()(
  z
    .object({
      kind: z.enum(TIMELINE_KINDS),
      id: z.string(),
      at: z.date(),
      title: z.string(),
      detail: z
        .record(z.string(), z.unknown())
        .describe('Per kind: event properties, message status, journey node, note text'),
    })
    .meta({ id: 'TimelineItem' }),
);

export const timelinePageSchema = z
  .object({ data: z.array(timelineItemSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'TimelinePage' });

export type TimelineEntry = Json<z.output<typeof timelineItemSchema>>;

export const activitySchema = rowSchema(contactActivities).meta({ id: 'ContactActivity' });
export type Activity = Json<z.output<typeof activitySchema>>;
