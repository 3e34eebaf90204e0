import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contacts, events, workspaces } from './schema';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

/** Work an accepted event still owes Temporal. What the dispatcher does with a row is `OutboxWork`. */
export interface OutboxWork {
  /** Runs of a contact merged away by an alias, to end because their contact no longer exists. */
  exitWorkflowIds?: string[];
}

/**
 * Written in the same transaction as its event, so an accepted event is never lost on its way
 * to Temporal; `next_attempt_at` doubles as the lease of the dispatcher delivering the row.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: workspaceId(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    work: jsonb('work').$type<OutboxWork>().notNull().default({}),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('outbox_contact_idx').on(t.contactId, t.id).where(sql`status = 'pending'`),
  ],
);

/** An inbound webhook endpoint: `POST /v1/hooks/:id`, mapped to an event by `mapping`. */
export const hooks = pgTable(
  'hooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    mapping: jsonb('mapping').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hooks_workspace_idx').on(t.workspaceId)],
);

/**
 * Signing secrets of a hook (`whsec_…`). Several may be valid at once: a rotated secret keeps
 * working until `expires_at`, so senders can switch without losing deliveries.
 */
export const hookSecrets = pgTable(
  'hook_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    hookId: uuid('hook_id')
      .notNull()
      .references(() => hooks.id, { onDelete: 'cascade' }),
    secret: text('secret').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [index('hook_secrets_hook_idx').on(t.hookId)],
);
