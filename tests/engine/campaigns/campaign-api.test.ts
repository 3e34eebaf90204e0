import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeys, lists } from '../../../db/schema';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import { broadcastTo, seedAudience } from './fixtures';

/**
 * A campaign as a marketer keeps it: objective, audience with an exclusion, budget and cost
 * model, dates, channels, owner and status; the journeys and broadcasts serving it and its
 * hand-entered costs on one page.
 */
describe.each(databaseKinds())('campaign API (Fastify inject, %s)', (kind) => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await apiStack({ kind });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps a campaign with its journeys, broadcasts and fixed costs together, and changes its status', async () => {
    const db = stack.database.db;
    const seeded = await seedAudience(db, 3, 'Campaign page workspace');
    const ws = seeded.workspace.id;
    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
      stack.app.inject({
        method,
        url,
        payload: payload as never,
        headers: bearer(seeded.workspace.secretKey),
      });
    const [stop] = await db.insert(lists).values({ workspaceId: ws, name: 'Stop' }).returning();
    const owner = randomUUID();
    const input = {
      name: 'Winter sale',
      objective: { event: 'Order Completed', targetRevenue: 5000 },
      audience: { listIds: [seeded.list.id], excludeListIds: [stop.id] },
      budget: 300,
      currency: 'USD',
      costModel: { email: 0.002, sms: 0.05 },
      channels: ['email', 'sms'],
      startsAt: '2026-12-01T00:00:00Z',
      endsAt: '2026-12-24T00:00:00Z',
      ownerId: owner,
    };
    const created = await call('POST', '/v1/campaigns', input);
    expect(created.statusCode).toBe(201);
    const campaign = created.json();
    expect(campaign).toMatchObject({
      name: 'Winter sale',
      objective: { event: 'Order Completed', targetRevenue: 5000 },
      audience: {
        segmentIds: [],
        listIds: [seeded.list.id],
        excludeSegmentIds: [],
        excludeListIds: [stop.id],
      },
      budget: 300,
      currency: 'USD',
      costModel: { email: 0.002, sms: 0.05 },
      channels: ['email', 'sms'],
      ownerId: owner,
      status: 'draft',
    });

    // An audience naming a list of nowhere is refused, naming the field; nothing changes.
    const missing = randomUUID();
    const bad = await call('PUT', `/v1/campaigns/${campaign.id}`, {
      ...input,
      audience: { listIds: [missing] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'list_not_found', field: 'audience.listIds' });

    for (const status of ['scheduled', 'running', 'paused', 'completed'] as const) {
      const changed = await call('PUT', `/v1/campaigns/${campaign.id}`, { ...input, status });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().status).toBe(status);
    }

    const [journey] = await db
      .insert(journeys)
      .values({ workspaceId: ws, name: 'Cart reminder', draft: {}, status: 'active' })
      .returning();
    const linked = await call('POST', `/v1/campaigns/${campaign.id}/journeys`, { journeyId: journey.id });
    expect(linked.json().data).toEqual([{ id: journey.id, name: 'Cart reminder', status: 'active' }]);
    // Linking twice changes nothing; a journey of nowhere is refused.
    await call('POST', `/v1/campaigns/${campaign.id}/journeys`, { journeyId: journey.id });
    const unknown = await call('POST', `/v1/campaigns/${campaign.id}/journeys`, { journeyId: missing });
    expect(unknown.json().error).toMatchObject({ code: 'journey_not_found', field: 'journeyId' });

    const broadcast = await call('POST', '/v1/broadcasts', broadcastTo(seeded, { campaignId: campaign.id }));
    expect(broadcast.statusCode).toBe(201);
    const ads = await call('POST', `/v1/campaigns/${campaign.id}/costs`, {
      label: 'Search ads',
      amount: 120,
      incurredOn: '2026-12-02',
    });
    expect(ads.statusCode).toBe(201);
    const fee = await call('POST', `/v1/campaigns/${campaign.id}/costs`, { label: 'Agency fee', amount: 80 });
    const negative = await call('POST', `/v1/campaigns/${campaign.id}/costs`, {
      label: 'Refund',
      amount: -5,
    });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().error.field).toBe('body.amount');

    const page = (await call('GET', `/v1/campaigns/${campaign.id}`)).json();
    expect(page.journeys.map((j: any) => j.id)).toEqual([journey.id]);
    expect(page.broadcasts.map((b: any) => b.id)).toEqual([broadcast.json().id]);
    expect(page.costs.map((c: any) => [c.label, c.amount]).sort()).toEqual([
      ['Agency fee', 80],
      ['Search ads', 120],
    ]);
    // Fixed costs 120 + 80 = 200 of the 300 budget; no message sent yet.
    const report = (await call('GET', `/v1/campaigns/${campaign.id}/report`)).json();
    expect(report.totals.cost).toBe(200);
    expect(report.budget).toMatchObject({ budget: 300, spent: 200, remaining: 100 });

    expect((await call('DELETE', `/v1/campaigns/${campaign.id}/costs/${fee.json().id}`)).statusCode).toBe(
      204,
    );
    expect((await call('DELETE', `/v1/campaigns/${campaign.id}/journeys/${journey.id}`)).statusCode).toBe(
      204,
    );
    const after = (await call('GET', `/v1/campaigns/${campaign.id}`)).json();
    expect(after.journeys).toEqual([]);
    expect(after.costs.map((c: any) => c.label)).toEqual(['Search ads']);

    // Deleting the campaign keeps its broadcast, unlinked.
    expect((await call('DELETE', `/v1/campaigns/${campaign.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/broadcasts/${broadcast.json().id}`)).json().campaignId).toBeNull();
  }, 120_000);
});
