import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { createDeal, moveDeal } from '../../../../engine/crm/deals/deals';
import { createPipeline, type PipelineView } from '../../../../engine/crm/deals/pipelines';
import { dealReports } from '../../../../engine/crm/deals/reports';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { member } from '../../identity/identity-app';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const HOUR = 3600;

/**
 * The fixture (all in March 2026 unless said otherwise; Lead 10 %, Qualified 40 %, Proposal 70 %,
 * Won, Lost):
 *
 * | deal | owner | value     | created | path (day entered)                               |
 * |------|-------|-----------|---------|--------------------------------------------------|
 * | D1   | Alice | 1000 EUR  | 1       | Lead → Qualified (3) → Proposal (7) → Won (10)   |
 * | D2   | Alice | 2000 EUR  | 2       | Lead → Qualified (4) → Lost (6)                  |
 * | D3   | Bruno | 500 EUR   | 2       | Lead → Proposal (5) → Won (15)                   |
 * | D4   | Bruno | 4000 EUR  | 5       | Lead → Qualified (6), open, closes 2026-04-20   |
 * | D5   | —     | 1500 EUR  | 10      | Lead, open, closes 2026-05-03                   |
 * | D6   | Alice | 800 EUR   | 11      | Lead → Proposal (12), open, closes 2026-04-02   |
 * | D7   | Bruno | 9000 USD  | 3       | Lead → Won (8)                                   |
 * | D8   | Alice | 700 EUR   | Feb 20  | Lead → Won (Feb 25): before the period            |
 *
 * Period: 2026-03-01 .. 2026-03-31, currency EUR.
 */
describe.each(databaseKinds())('deal reports against a hand-computed fixture (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  let pipeline: PipelineView;
  let alice: { id: string };
  let bruno: { id: string };

  beforeAll(async () => {
    database = await openTestDb(kind);
    const db = database.db;
    workspaceId = (await createWorkspace(db, 'Reports')).id;
    alice = await member(database, workspaceId, 'sales', 'alice@example.com');
    bruno = await member(database, workspaceId, 'sales', 'bruno@example.com');
    pipeline = await createPipeline(db, workspaceId, {
      name: 'Sales',
      stages: [
        { name: 'Lead', winProbability: 10, closedWon: false, closedLost: false },
        { name: 'Qualified', winProbability: 40, closedWon: false, closedLost: false },
        { name: 'Proposal', winProbability: 70, closedWon: false, closedLost: false },
        { name: 'Won', winProbability: 100, closedWon: true, closedLost: false },
        { name: 'Lost', winProbability: 0, closedWon: false, closedLost: true },
      ],
    });
    const stage = Object.fromEntries(pipeline.stages.map((s) => [s.name, s.id]));
    const deal = async (
      title: string,
      owner: { id: string } | null,
      value: number,
      created: string,
      path: [string, string][],
      extra: { currency?: string; expectedCloseDate?: string } = {},
    ) => {
      const row = await createDeal(
        db,
        workspaceId,
        { title, pipelineId: pipeline.id, value, ownerUserId: owner?.id ?? null, ...extra },
        { userId: null },
        { at: day(created) },
      );
      for (const [name, at] of path)
        await moveDeal(db, workspaceId, row.id, stage[name], { userId: null }, day(at));
    };
    await deal('D1', alice, 1000, '2026-03-01', [
      ['Qualified', '2026-03-03'],
      ['Proposal', '2026-03-07'],
      ['Won', '2026-03-10'],
    ]);
    await deal('D2', alice, 2000, '2026-03-02', [
      ['Qualified', '2026-03-04'],
      ['Lost', '2026-03-06'],
    ]);
    await deal('D3', bruno, 500, '2026-03-02', [
      ['Proposal', '2026-03-05'],
      ['Won', '2026-03-15'],
    ]);
    await deal('D4', bruno, 4000, '2026-03-05', [['Qualified', '2026-03-06']], {
      expectedCloseDate: '2026-04-20',
    });
    await deal('D5', null, 1500, '2026-03-10', [], { expectedCloseDate: '2026-05-03' });
    await deal('D6', alice, 800, '2026-03-11', [['Proposal', '2026-03-12']], {
      expectedCloseDate: '2026-04-02',
    });
    await deal('D7', bruno, 9000, '2026-03-03', [['Won', '2026-03-08']], { currency: 'USD' });
    await deal('D8', alice, 700, '2026-02-20', [['Won', '2026-02-25']]);
  });
  afterAll(async () => {
    await database?.close();
  });

  const report = () =>
    dealReports(database.db, workspaceId, pipeline.id, {
      from: '2026-03-01',
      to: '2026-03-31',
      currency: 'EUR',
    });

  it('counts the stage-to-stage funnel of deals created in the period', async () => {
    // D1–D7 were created in March (D8 in February). Furthest non-lost stage reached:
    // D1 Won, D2 Qualified (Lost is left out), D3 Won, D4 Qualified, D5 Lead, D6 Proposal, D7 Won.
    // Reached Lead or later: 7; Qualified or later: D1 D2 D3 D4 D6 D7 = 6 (D3, D6, D7 skipped it but
    // went further); Proposal or later: D1 D3 D6 D7 = 4; Won: D1 D3 D7 = 3.
    // Conversions: 6/7, 4/6, 3/4.
    const { funnel } = await report();
    expect(funnel.map((f) => [f.stage, f.reached])).toEqual([
      ['Lead', 7],
      ['Qualified', 6],
      ['Proposal', 4],
      ['Won', 3],
    ]);
    expect(funnel.map((f) => f.conversionFromPrevious)).toEqual([null, 6 / 7, 4 / 6, 3 / 4]);
  });

  it('averages the time of completed stays that began in the period', async () => {
    // Lead stays (days): D1 1→3 = 2, D2 2→4 = 2, D3 2→5 = 3, D4 5→6 = 1, D6 11→12 = 1, D7 3→8 = 5;
    // D5 is still in Lead; D8's stay began in February. Mean = (2+2+3+1+1+5)/6 = 14/6 days = 56 h.
    // Qualified: D1 3→7 = 4, D2 4→6 = 2 (D4 still there): mean 3 days = 72 h.
    // Proposal: D1 7→10 = 3, D3 5→15 = 10 (D6 still there): mean 6.5 days = 156 h.
    // Won and Lost: never left.
    const { timeInStage } = await report();
    expect(timeInStage.map((t) => [t.stage, t.stays, t.averageSeconds])).toEqual([
      ['Lead', 6, 56 * HOUR],
      ['Qualified', 2, 72 * HOUR],
      ['Proposal', 2, 156 * HOUR],
      ['Won', 0, null],
      ['Lost', 0, null],
    ]);
  });

  it('computes the win rate of deals closed in the period', async () => {
    // Closed in March: D1 won, D2 lost, D3 won, D7 won (D8 closed in February) → 3 / 4.
    const { winRate } = await report();
    expect(winRate).toEqual({ won: 3, lost: 1, rate: 0.75 });
  });

  it('forecasts open deals by close month, weighted by stage probability', async () => {
    // Open EUR deals with a close date: D4 Qualified 4000 × 40 % = 1600 (April),
    // D6 Proposal 800 × 70 % = 560 (April), D5 Lead 1500 × 10 % = 150 (May).
    // April: 2 deals, 4800, weighted 2160. May: 1 deal, 1500, weighted 150.
    const { forecast } = await report();
    expect(forecast).toEqual([
      { month: '2026-04', deals: 2, value: 4800, weightedValue: 2160 },
      { month: '2026-05', deals: 1, value: 1500, weightedValue: 150 },
    ]);
  });

  it('ranks owners by won value in the report currency over the period', async () => {
    // Alice: D1 won 1000, D2 lost (D8 outside the period) → won 1, lost 1, rate 0.5, 1000 EUR;
    //        open now: D6 → 1.
    // Bruno: D3 won 500, D7 won 9000 USD (counted as a win, not in the EUR value) → won 2,
    //        lost 0, rate 1, 500 EUR; open now: D4 → 1.
    const { owners, currency } = await report();
    expect(currency).toBe('EUR');
    expect(
      owners.map(({ name, won, lost, open, wonValue, winRate }) => ({
        name,
        won,
        lost,
        open,
        wonValue,
        winRate,
      })),
    ).toEqual([
      { name: 'sales', won: 1, lost: 1, open: 1, wonValue: 1000, winRate: 0.5 },
      { name: 'sales', won: 2, lost: 0, open: 1, wonValue: 500, winRate: 1 },
    ]);
    expect(owners.map((o) => o.ownerUserId)).toEqual([alice.id, bruno.id]);
  });

  it('refuses a period that ends before it starts, naming the field', async () => {
    await expect(
      dealReports(database.db, workspaceId, pipeline.id, { from: '2026-03-10', to: '2026-03-01' }),
    ).rejects.toMatchObject({ code: 'period_reversed', field: 'to' });
  });
});
