import { z } from 'zod';

/** Segment clients send ids as strings or numbers; Wayline keeps strings. */
const id = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .pipe(z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'));

/** `null` is what several clients send for "no user id yet". */
const optionalId = id.nullish().transform((value) => value ?? undefined);

const instant = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date-time')
  .describe('ISO 8601 date-time');

const object = z.record(z.string(), z.unknown());

// Unknown fields (`_metadata`, `channel`, `integrations`, …) are stripped: accepted and ignored.
const common = {
  userId: optionalId.describe('Your id of the user'),
  anonymousId: optionalId.describe('Id of a user not known yet'),
  messageId: optionalId.describe('Unique per message; a repeat is stored once'),
  timestamp: instant.optional(),
  originalTimestamp: instant.optional(),
  sentAt: instant.optional(),
  context: object.nullish(),
};

const needsIdentity = <T extends { userId?: string; anonymousId?: string }>(
  message: T,
  ctx: z.RefinementCtx,
) => {
  if (!message.userId && !message.anonymousId) {
    ctx.addIssue({ code: 'custom', path: ['userId'], message: 'userId or anonymousId is required' });
  }
};

export const trackMessageSchema = z
  .object({
    ...common,
    type: z.literal('track').optional(),
    event: z.string().min(1, 'must not be empty').max(255).describe('Event name, e.g. "Order Completed"'),
    properties: object.nullish(),
  })
  .superRefine(needsIdentity);

export const identifyMessageSchema = z
  .object({ ...common, type: z.literal('identify').optional(), traits: object.nullish() })
  .superRefine(needsIdentity);

export const pageMessageSchema = z
  .object({
    ...common,
    type: z.enum(['page', 'screen']).optional(),
    name: z.string().max(255).nullish(),
    category: z.string().max(255).nullish(),
    properties: object.nullish(),
  })
  .superRefine(needsIdentity);

export const groupMessageSchema = z
  .object({ ...common, type: z.literal('group').optional(), groupId: id, traits: object.nullish() })
  .superRefine(needsIdentity);

export const aliasMessageSchema = z.object({
  ...common,
  type: z.literal('alias').optional(),
  userId: id.describe('The known id the previous id becomes'),
  previousId: id.describe('The anonymous or earlier id to merge'),
});

export const messageSchemas = {
  track: trackMessageSchema,
  identify: identifyMessageSchema,
  page: pageMessageSchema,
  screen: pageMessageSchema,
  group: groupMessageSchema,
  alias: aliasMessageSchema,
} as const;

export type MessageType = keyof typeof messageSchemas;

export const messageTypes = Object.keys(messageSchemas) as MessageType[];

const writeKey = { writeKey: z.string().optional().describe('Alternative to the HTTP Basic username') };

/** Route bodies: the message plus an optional `writeKey`. */
export const trackBodySchema = trackMessageSchema.and(z.object(writeKey));
export const identifyBodySchema = identifyMessageSchema.and(z.object(writeKey));
export const pageBodySchema = pageMessageSchema.and(z.object(writeKey));
export const groupBodySchema = groupMessageSchema.and(z.object(writeKey));
export const aliasBodySchema = aliasMessageSchema.and(z.object(writeKey));

export const batchBodySchema = z.object({
  batch: z.array(z.unknown()).describe('Up to 2,500 messages, each with its `type`'),
  sentAt: instant.optional(),
  context: object.nullish(),
  ...writeKey,
});

export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_EVENTS = 2500;
