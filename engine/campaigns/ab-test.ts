import { eq, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../db';
import { campaigns } from '../../db/schema';
import { getBroadcast } from './broadcasts';
import { engagedSql } from './engagement';
import { twoProportionZTest } from './significance';

export interface VariantResult {
  key: string;
  sent: number;
  opened: number;
  clicked: number;
  converted: number;
  rate: number;
}

export interface AbTestResult {
  metric: 'open' | 'click' | 'conversion';
  variants: VariantResult[];
  /** The variant with the best rate; null when nothing was sent. */
  winner: string | null;
  /** The winner against the runner-up: two-proportion z-test, two-sided. */
  significance: { z: number; pValue: number; significant: boolean; runnerUp: string } | null;
}

const DEFAULT_CONVERSION_WINDOW_HOURS = 168;

/**
 * The test group's results per variant: unique opens, unique clicks and conversions (the
 * conversion event by the contact within the click attribution window after the send).
 */
export async function abTestResult(db: Db, workspaceId: string, id: string): Promise<AbTestResult> {
  const broadcast = await getBroadcast(db, workspaceId, id);
  const metric = broadcast.abTest?.metric ?? 'open';
  let conversionEvent = broadcast.conversionEvent;
  let windowHours = DEFAULT_CONVERSION_WINDOW_HOURS;
  if (broadcast.campaignId) {
    const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, broadcast.campaignId));
    conversionEvent ??= campaign?.objective.event ?? null;
    windowHours = campaign?.attribution.clickWindowHours ?? windowHours;
  }
  const converted = conversionEvent
    ? sql`exists (select 1 from events e where e.workspace_id = ${workspaceId} and e.contact_id = r.contact_id
          and e.name = ${conversionEvent} and e.timestamp >= r.sent_at
          and e.timestamp <= r.sent_at + make_interval(secs => ${windowHours * 3600}))`
    : sql`false`;
  const rows = await queryRows<{
    variant: string;
    sent: number;
    opened: number;
    clicked: number;
    converted: number;
  }>(
    db,
    sql`select r.variant, count(*)::int as sent,
          count(*) filter (where ${engagedSql(workspaceId, 'open')})::int as opened,
          count(*) filter (where ${engagedSql(workspaceId, 'click')})::int as clicked,
          count(*) filter (where ${converted})::int as converted
        from broadcast_recipients r join messages m on m.id = r.message_id
        where r.broadcast_id = ${id} and r.workspace_id = ${workspaceId} and r.grp = 'test' and r.status = 'sent'
        group by r.variant`,
  );
  const variants = broadcast.variants.map((v) => {
    const row = rows.find((r) => r.variant === v.key);
    const sent = Number(row?.sent ?? 0);
    const hits = {
      opened: Number(row?.opened ?? 0),
      clicked: Number(row?.clicked ?? 0),
      converted: Number(row?.converted ?? 0),
    };
    const x = metric === 'open' ? hits.opened : metric === 'click' ? hits.clicked : hits.converted;
    return { key: v.key, sent, ...hits, rate: sent === 0 ? 0 : x / sent };
  });
  return { metric, variants, ...pickWinner(variants, metric) };
}

/** The best rate wins (ties go to the earlier variant); significance compares it with the runner-up. */
export function pickWinner(
  variants: VariantResult[],
  metric: AbTestResult['metric'],
): Pick<AbTestResult, 'winner' | 'significance'> {
  const ranked = variants.filter((v) => v.sent > 0).sort((a, b) => b.rate - a.rate);
  if (ranked.length === 0) return { winner: null, significance: null };
  const [best, second] = ranked;
  if (!second) return { winner: best.key, significance: null };
  const hits = (v: VariantResult) =>
    metric === 'open' ? v.opened : metric === 'click' ? v.clicked : v.converted;
  const test = twoProportionZTest(hits(best), best.sent, hits(second), second.sent);
  return {
    winner: best.key,
    significance: test ? { ...test, significant: test.pValue < 0.05, runnerUp: second.key } : null,
  };
}
