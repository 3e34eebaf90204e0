import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from './audience';
import { jobs } from './jobs';
import { workspaceId } from './workspaces';

const computedAt = () => timestamp('computed_at', { withTimezone: true }).notNull().defaultNow();

const contactId = () =>
  uuid('contact_id')
    .notNull()
    .references(() => contacts.id, { onDelete: 'cascade' });

/**
 * Where purchases are found: an event name and the property paths of the amount and the line
 * items (Segment e-commerce spec by default). One row per workspace, absent means the defaults.
 */
export const analyticsSettings = pgTable('analytics_settings', {
  workspaceId: workspaceId().primaryKey(),
  purchaseEvent: text('purchase_event').notNull().default('Order Completed'),
  /** Dotted paths tried in order; the first numeric one is the order's amount. */
  revenuePaths: text('revenue_paths').array().notNull().default(['revenue', 'total']),
  productsPath: text('products_path').notNull().default('products'),
  /** Field of a line item naming the product in affinity rules and recommendations. */
  productKey: text('product_key').notNull().default('product_id'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** RFM per contact as of the last refresh; contacts without a purchase in the window have no row. */
export const rfmScores = pgTable(
  'rfm_scores',
  {
    workspaceId: workspaceId(),
    contactId: contactId(),
    recencyDays: doublePrecision('recency_days').notNull(),
    frequency: integer('frequency').notNull(),
    monetary: doublePrecision('monetary').notNull(),
    r: integer('r').notNull(),
    f: integer('f').notNull(),
    m: integer('m').notNull(),
    /** One of the eleven named classes (`champions`, `at_risk`, ...). */
    segment: text('segment').notNull(),
    /** One of the eight high/low R·F·M classes (`important_value`, ...). */
    valueClass: text('value_class').notNull(),
    computedAt: computedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.contactId] }),
    index('rfm_scores_segment_idx').on(t.workspaceId, t.segment),
    index('rfm_scores_contact_idx').on(t.contactId),
  ],
);

/** Predictive CLV per contact from the last BG/NBD + Gamma-Gamma fit. */
export const clvScores = pgTable(
  'clv_scores',
  {
    workspaceId: workspaceId(),
    contactId: contactId(),
    frequency: integer('frequency').notNull(),
    recencyDays: doublePrecision('recency_days').notNull(),
    ageDays: doublePrecision('age_days').notNull(),
    averageSpend: doublePrecision('average_spend').notNull(),
    expectedPurchases: doublePrecision('expected_purchases').notNull(),
    probabilityAlive: doublePrecision('probability_alive').notNull(),
    expectedSpend: doublePrecision('expected_spend').notNull(),
    clv: doublePrecision('clv').notNull(),
    computedAt: computedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.contactId] }),
    index('clv_scores_contact_idx').on(t.contactId),
  ],
);

/** The K-means cluster of each contact from the last clustering. */
export const contactClusters = pgTable(
  'contact_clusters',
  {
    workspaceId: workspaceId(),
    contactId: contactId(),
    cluster: integer('cluster').notNull(),
    computedAt: computedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.contactId] }),
    index('contact_clusters_cluster_idx').on(t.workspaceId, t.cluster),
    index('contact_clusters_contact_idx').on(t.contactId),
  ],
);

/** Association rules from order baskets: antecedent ⇒ consequent. */
export const affinityRules = pgTable(
  'affinity_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: workspaceId(),
    antecedent: text('antecedent').array().notNull(),
    consequent: text('consequent').array().notNull(),
    support: doublePrecision('support').notNull(),
    confidence: doublePrecision('confidence').notNull(),
    lift: doublePrecision('lift').notNull(),
    orders: integer('orders').notNull(),
    computedAt: computedAt(),
  },
  (t) => [index('affinity_rules_workspace_idx').on(t.workspaceId, t.lift)],
);

export const ANALYTICS_MODELS = ['rfm', 'clv', 'clusters', 'affinity', 'forecast'] as const;
export type AnalyticsModel = (typeof ANALYTICS_MODELS)[number];

/**
 * The latest computation of each model in a workspace: its parameters, its fitted values or
 * summary (BG/NBD and Gamma-Gamma parameters, cluster profiles, the forecast series) and when.
 */
export const analyticsResults = pgTable(
  'analytics_results',
  {
    workspaceId: workspaceId(),
    model: text('model', { enum: ANALYTICS_MODELS }).notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    result: jsonb('result').$type<Record<string, unknown>>().notNull().default({}),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'set null' }),
    computedAt: computedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.model] }), index('analytics_results_job_idx').on(t.jobId)],
);
