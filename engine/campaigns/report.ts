import { and, eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { broadcasts, campaignJourneys, campaigns, journeys } from '../../db/schema';
import { NotFound } from '../errors';
import { type CreditedTouch, creditedTouches, DEFAULT_ATTRIBUTION, type HoldoutLift } from './attribution';
import { getBroadcast } from './broadcasts';
import { getCampaign } from './campaigns';
import { billedStatusesSql, campaignSpend, roundMoney } from './costs';
import { engagedSql, messageEventSql } from './engagement';
import { holdoutLift, journeyHoldoutLift } from './holdout';
import { budgetState, returnOnSpend } from './roi';

export type AttributionModel = 'last' | 'first' | 'linear';

export interface ReportRow {
  audience: number;
  sent: number;
  delivered: number;
  bounced: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  complained: number;
  converted: number;
  revenue: number;
  cost: number;
  /** (revenue − cost) / cost, as a fraction (1 = 100 %); null without a cost. */
  roi: number | null;
  /** revenue / cost, as a fraction (2 = 200 %); null without a cost. */
  roas: number | null;
  costPerConversion: number | null;
}

export interface Report {
  kind: 'campaign' | 'broadcast' | 'journey';
  id: string;
  name: string;
  currency: string | null;
  model: AttributionModel;
  attribution: { event: string | null; clickWindowHours: number; openWindowHours: number };
  totals: ReportRow;
  byChannel: (ReportRow & { channel: string })[];
  byVariant: (ReportRow & { variant: string })[];
  byDay: (ReportRow & { day: string })[];
  bySource: (ReportRow & {
    sourceId: string;
    kind: 'broadcast' | 'journey';
    name: string;
    /** The source's incremental lift over its holdout (control group); null without one. */
    holdout: HoldoutLift | null;
  })[];
  budget: {
    budget: number | null;
    spent: number;
    remaining: number | null;
    warning: 'running-out' | 'exhausted' | null;
  } | null;
  fixedCost: number;
  holdout: HoldoutLift | null;
}

interface Source {
  id: string;
  kind: 'broadcast' | 'journey';
  name: string;
  audience: number;
}

interface Scope {
  kind: Report['kind'];
  id: string;
  name: string;
  sources: Source[];
  costModel: Record<string, number>;
  currency: string | null;
  event: string | null;
  windows: { clickWindowHours: number; openWindowHours: number };
  fixedCost: number;
  budget: number | null;
}

type Metrics = Omit<ReportRow, 'roi' | 'roas' | 'costPerConversion' | 'audience'>;

const empty = (): Metrics => ({
  sent: 0,
  delivered: 0,
  bounced: 0,
  opened: 0,
  clicked: 0,
  unsubscribed: 0,
  complained: 0,
  converted: 0,
  revenue: 0,
  cost: 0,
});

function finish(m: Metrics, audience: number): ReportRow {
  const cost = roundMoney(m.cost);
  const revenue = roundMoney(m.revenue);
  const converted = Math.round(m.converted * 1000) / 1000;
  return {
    audience,
    ...m,
    converted,
    cost,
    revenue,
    ...returnOnSpend(revenue, cost),
    costPerConversion: converted > 0 && cost > 0 ? roundMoney(cost / converted) : null,
  };
}

const credit = (t: CreditedTouch, model: AttributionModel) =>
  model === 'last' ? t.lastTouch : model === 'first' ? t.firstTouch : t.linear;

/**
 * A report over a set of journeys and broadcasts: message outcomes from the ledger and the tracking
 * events (unique per message), conversions and revenue by the chosen attribution model, cost from
 * the cost model (plus hand-entered costs at campaign level), ROI and ROAS; in total, per channel,
 * per variant (a broadcast's variant or a journey's send node), per day and per source.
 */
async function buildReport(
  db: Db,
  workspaceId: string,
  scope: Scope,
  model: AttributionModel,
): Promise<Report> {
  const ids = scope.sources.map((s) => s.id);
  const idList =
    ids.length > 0
      ? sql`(${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`
      : sql`(null::uuid)`;
  const rows =
    ids.length === 0
      ? []
      : await queryRows<{
          source_id: string;
          channel: string;
          variant: string | null;
          day: string;
          sent: number;
          delivered: number;
          bounced: number;
          opened: number;
          clicked: number;
          unsubscribed: number;
          complained: number;
        }>(
          db,
          sql`select coalesce(m.broadcast_id, m.journey_id)::text as source_id, m.channel,
                case when m.node_id like 'broadcast:%' then substr(m.node_id, 11) else m.node_id end as variant,
                to_char(date_trunc('day', m.created_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
                count(*)::int as sent,
                count(*) filter (where m.status <> 'bounced')::int as delivered,
                count(*) filter (where m.status = 'bounced' or ${messageEventSql(workspaceId, ['Email Bounced', 'Message Bounced'])})::int as bounced,
                count(*) filter (where ${engagedSql(workspaceId, 'open')})::int as opened,
                count(*) filter (where ${engagedSql(workspaceId, 'click')})::int as clicked,
                count(*) filter (where ${messageEventSql(workspaceId, ['Unsubscribed'])})::int as unsubscribed,
                count(*) filter (where ${messageEventSql(workspaceId, ['Email Marked as Spam'])})::int as complained
              from messages m
              where m.workspace_id = ${workspaceId} and m.test = false and m.status in ${billedStatusesSql}
                and coalesce(m.broadcast_id, m.journey_id) in ${idList}
              group by 1, 2, 3, 4`,
        );
  const touches =
    scope.event && ids.length > 0
      ? await creditedTouches(db, workspaceId, { event: scope.event, ...scope.windows }, idList)
      : [];

  const totals = empty();
  const byChannel = new Map<string, Metrics>();
  const byVariant = new Map<string, Metrics>();
  const byDay = new Map<string, Metrics>();
  const bySource = new Map<string, Metrics>();
  const into = (map: Map<string, Metrics>, key: string) => {
    const found = map.get(key);
    if (found) return found;
    const created = empty();
    map.set(key, created);
    return created;
  };
  const add = (targets: Metrics[], values: Partial<Metrics>) => {
    for (const t of targets)
      for (const [k, v] of Object.entries(values)) t[k as keyof Metrics] += v as number;
  };
  for (const r of rows) {
    const cost = Number(r.sent) * (scope.costModel[r.channel] ?? 0);
    add(
      [
        totals,
        into(byChannel, r.channel),
        into(byVariant, r.variant ?? '—'),
        into(byDay, r.day),
        into(bySource, r.source_id),
      ],
      {
        sent: Number(r.sent),
        delivered: Number(r.delivered),
        bounced: Number(r.bounced),
        opened: Number(r.opened),
        clicked: Number(r.clicked),
        unsubscribed: Number(r.unsubscribed),
        complained: Number(r.complained),
        cost,
      },
    );
  }
  for (const t of touches) {
    const share = credit(t, model);
    if (share === 0) continue;
    add(
      [
        totals,
        into(byChannel, t.channel),
        into(byVariant, t.variant ?? '—'),
        into(byDay, t.convertedAt.toISOString().slice(0, 10)),
        into(bySource, t.sourceId ?? ''),
      ],
      { converted: share, revenue: share * t.revenue },
    );
  }
  totals.cost += scope.fixedCost;
  const audience = scope.sources.reduce((sum, s) => sum + s.audience, 0);
  const spent = roundMoney(totals.cost);
  const holdouts = await Promise.all(scope.sources.map((s) => sourceHoldout(db, workspaceId, s, scope)));
  return {
    kind: scope.kind,
    id: scope.id,
    name: scope.name,
    currency: scope.currency,
    model,
    attribution: { event: scope.event, ...scope.windows },
    totals: finish(totals, audience),
    byChannel: [...byChannel].map(([channel, m]) => ({ channel, ...finish(m, 0) })),
    byVariant: [...byVariant].map(([variant, m]) => ({ variant, ...finish(m, 0) })),
    byDay: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, m]) => ({ day, ...finish(m, 0) })),
    bySource: scope.sources.map((s, i) => ({
      sourceId: s.id,
      kind: s.kind,
      name: s.name,
      ...finish(bySource.get(s.id) ?? empty(), s.audience),
      holdout: holdouts[i],
    })),
    budget: scope.kind === 'campaign' ? budgetState(scope.budget, spent) : null,
    fixedCost: scope.fixedCost,
    holdout: scope.kind === 'campaign' ? null : (holdouts[0] ?? null),
  };
}

/** A broadcast's or journey's lift over its holdout, conversions counted within the click window. */
async function sourceHoldout(
  db: Db,
  workspaceId: string,
  source: Source,
  scope: Scope,
): Promise<HoldoutLift | null> {
  if (!scope.event) return null;
  const settings = { event: scope.event, clickWindowHours: scope.windows.clickWindowHours };
  return source.kind === 'broadcast'
    ? holdoutLift(db, await getBroadcast(db, workspaceId, source.id), settings)
    : journeyHoldoutLift(db, workspaceId, source.id, settings);
}

async function broadcastSources(db: Db, workspaceId: string, campaignId: string): Promise<Source[]> {
  const rows = await db
    .select({ id: broadcasts.id, name: broadcasts.name, audience: broadcasts.audienceSize })
    .from(broadcasts)
    .where(and(eq(broadcasts.workspaceId, workspaceId), eq(broadcasts.campaignId, campaignId)));
  return rows.map((r) => ({ id: r.id, kind: 'broadcast' as const, name: r.name, audience: r.audience ?? 0 }));
}

async function journeyAudience(
  db: Db,
  workspaceId: string,
  journeyIds: string[],
): Promise<Map<string, number>> {
  if (journeyIds.length === 0) return new Map();
  const rows = await queryRows<{ journey_id: string; n: number }>(
    db,
    sql`select journey_id::text, count(distinct contact_id)::int as n from journey_runs
        where workspace_id = ${workspaceId} and journey_id in (${sql.join(
          journeyIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )}) group by 1`,
  );
  return new Map(rows.map((r) => [r.journey_id, Number(r.n)]));
}

/** The journeys and broadcasts of a campaign with its cost model, attribution and costs entered by hand. */
async function campaignScope(db: Db, workspaceId: string, id: string): Promise<Scope> {
  const campaign = await getCampaign(db, workspaceId, id);
  const linked = await db
    .select({ id: journeys.id, name: journeys.name })
    .from(campaignJourneys)
    .innerJoin(journeys, eq(journeys.id, campaignJourneys.journeyId))
    .where(and(eq(campaignJourneys.workspaceId, workspaceId), eq(campaignJourneys.campaignId, id)));
  const audiences = await journeyAudience(
    db,
    workspaceId,
    linked.map((j) => j.id),
  );
  const spend = await campaignSpend(db, workspaceId, id);
  return {
    kind: 'campaign',
    id,
    name: campaign.name,
    sources: [
      ...(await broadcastSources(db, workspaceId, id)),
      ...linked.map((j) => ({
        id: j.id,
        kind: 'journey' as const,
        name: j.name,
        audience: audiences.get(j.id) ?? 0,
      })),
    ],
    costModel: campaign.costModel,
    currency: campaign.currency,
    event: campaign.objective.event,
    windows: campaign.attribution,
    fixedCost: spend.fixedCost,
    budget: campaign.budget,
  };
}

export async function campaignReport(
  db: Db,
  workspaceId: string,
  id: string,
  model: AttributionModel = 'last',
) {
  return buildReport(db, workspaceId, await campaignScope(db, workspaceId, id), model);
}

export const CAMPAIGN_FUNNEL_STEPS = [
  'audience',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'converted',
] as const;

export interface CampaignFunnelStep {
  step: (typeof CAMPAIGN_FUNNEL_STEPS)[number];
  contacts: number;
  /** Share of the step before (null when it had nobody). */
  conversion: number | null;
  /** Share of the audience (null without an audience). */
  overallConversion: number | null;
  /** Contacts of the step before who are not in this one (negative when more converted than clicked). */
  dropOff: number;
}

export interface CampaignFunnel {
  campaignId: string;
  name: string;
  currency: string | null;
  model: AttributionModel;
  attribution: Report['attribution'];
  steps: CampaignFunnelStep[];
  /** Conversions credited to the campaign by the model (fractional under linear). */
  conversions: number;
  revenue: number;
}

/**
 * A campaign's funnel in contacts: its audience (the broadcasts' audience sizes plus the contacts
 * that ran its journeys), then the contacts it sent a billed message to, whose message was
 * delivered (not bounced), opened (or clicked), clicked, and the contacts with a conversion the
 * campaign's attribution (event, windows) credits to it under the model (last touch: the
 * campaign's message was the latest interaction; first: the earliest; linear: any share). A
 * converted contact may have only opened, or received an SMS, so it need not be among the clickers.
 */
export async function campaignFunnel(
  db: Db,
  workspaceId: string,
  id: string,
  model: AttributionModel = 'last',
): Promise<CampaignFunnel> {
  const scope = await campaignScope(db, workspaceId, id);
  const ids = scope.sources.map((s) => s.id);
  const idList =
    ids.length > 0
      ? sql`(${sql.join(
          ids.map((sourceId) => sql`${sourceId}::uuid`),
          sql`, `,
        )})`
      : sql`(null::uuid)`;
  const [reached] = await queryRows<{ sent: number; delivered: number; opened: number; clicked: number }>(
    db,
    sql`select count(distinct m.contact_id)::int as sent,
          count(distinct m.contact_id) filter (where m.status <> 'bounced')::int as delivered,
          count(distinct m.contact_id) filter (where ${engagedSql(workspaceId, 'open')})::int as opened,
          count(distinct m.contact_id) filter (where ${engagedSql(workspaceId, 'click')})::int as clicked
        from messages m
        where m.workspace_id = ${workspaceId} and m.test = false and m.status in ${billedStatusesSql}
          and coalesce(m.broadcast_id, m.journey_id) in ${idList}`,
  );
  const touches =
    scope.event && ids.length > 0
      ? await creditedTouches(db, workspaceId, { event: scope.event, ...scope.windows }, idList)
      : [];
  const converted = new Set<string>();
  let conversions = 0;
  let revenue = 0;
  for (const t of touches) {
    const share = credit(t, model);
    if (share === 0) continue;
    converted.add(t.contactId);
    conversions += share;
    revenue += share * t.revenue;
  }
  const counts = [
    scope.sources.reduce((sum, s) => sum + s.audience, 0),
    Number(reached?.sent ?? 0),
    Number(reached?.delivered ?? 0),
    Number(reached?.opened ?? 0),
    Number(reached?.clicked ?? 0),
    converted.size,
  ];
  return {
    campaignId: id,
    name: scope.name,
    currency: scope.currency,
    model,
    attribution: { event: scope.event, ...scope.windows },
    steps: CAMPAIGN_FUNNEL_STEPS.map((step, i) => {
      const previous = i === 0 ? counts[0] : counts[i - 1];
      return {
        step,
        contacts: counts[i],
        conversion: previous > 0 ? counts[i] / previous : null,
        overallConversion: counts[0] > 0 ? counts[i] / counts[0] : null,
        dropOff: previous - counts[i],
      };
    }),
    conversions: Math.round(conversions * 1000) / 1000,
    revenue: roundMoney(revenue),
  };
}

async function campaignOf(db: Db, workspaceId: string, campaignId: string | null) {
  if (!campaignId) return null;
  const [row] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, campaignId)));
  return row ?? null;
}

export async function broadcastReport(
  db: Db,
  workspaceId: string,
  id: string,
  model: AttributionModel = 'last',
) {
  const broadcast = await getBroadcast(db, workspaceId, id);
  const campaign = await campaignOf(db, workspaceId, broadcast.campaignId);
  const event = broadcast.conversionEvent ?? campaign?.objective.event ?? null;
  const windows = campaign?.attribution ?? DEFAULT_ATTRIBUTION;
  return buildReport(
    db,
    workspaceId,
    {
      kind: 'broadcast',
      id,
      name: broadcast.name,
      sources: [{ id, kind: 'broadcast', name: broadcast.name, audience: broadcast.audienceSize ?? 0 }],
      costModel: campaign?.costModel ?? {},
      currency: campaign?.currency ?? null,
      event,
      windows,
      fixedCost: 0,
      budget: null,
    },
    model,
  );
}

export async function journeyReport(
  db: Db,
  workspaceId: string,
  id: string,
  model: AttributionModel = 'last',
  event?: string,
) {
  const [journey] = await db
    .select({ id: journeys.id, name: journeys.name })
    .from(journeys)
    .where(and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, id)));
  if (!journey) throw new NotFound('Journey', id);
  const [link] = await db
    .select({ campaignId: campaignJourneys.campaignId })
    .from(campaignJourneys)
    .where(and(eq(campaignJourneys.workspaceId, workspaceId), eq(campaignJourneys.journeyId, id)));
  const campaign = await campaignOf(db, workspaceId, link?.campaignId ?? null);
  const audiences = await journeyAudience(db, workspaceId, [id]);
  return buildReport(
    db,
    workspaceId,
    {
      kind: 'journey',
      id,
      name: journey.name,
      sources: [{ id, kind: 'journey', name: journey.name, audience: audiences.get(id) ?? 0 }],
      costModel: campaign?.costModel ?? {},
      currency: campaign?.currency ?? null,
      event: event ?? campaign?.objective.event ?? null,
      windows: campaign?.attribution ?? DEFAULT_ATTRIBUTION,
      fixedCost: 0,
      budget: null,
    },
    model,
  );
}

const CSV_COLUMNS: (keyof ReportRow)[] = [
  'audience',
  'sent',
  'delivered',
  'bounced',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
  'converted',
  'revenue',
  'cost',
  'roi',
  'roas',
  'costPerConversion',
];

/** The report as CSV: one line for the total, then per channel, per variant, per day and per source. */
export function reportCsv(report: Report): string {
  const line = (section: string, key: string, row: ReportRow) =>
    [section, key, ...CSV_COLUMNS.map((c) => (row[c] === null ? '' : String(row[c])))].map(csvCell).join(',');
  return [
    ['section', 'key', ...CSV_COLUMNS].join(','),
    line('total', report.name, report.totals),
    ...report.byChannel.map((r) => line('channel', r.channel, r)),
    ...report.byVariant.map((r) => line('variant', r.variant, r)),
    ...report.byDay.map((r) => line('day', r.day, r)),
    ...report.bySource.map((r) => line(r.kind, r.name, r)),
  ]
    .join('\n')
    .concat('\n');
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && Number.isNaN(Number(value)) ? `'${value}` : value;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
