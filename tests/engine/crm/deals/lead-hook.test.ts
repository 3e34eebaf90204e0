import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contacts, deals } from '../../../../db/schema';
import { eventually } from '../../audience/ingest/ingest-harness';
import { hookStack } from '../inbound/hook-stack';

describe('deals from a lead form posting to an inbound webhook (API, dispatcher, real Temporal dev server, PGlite)', () => {
  const fixture = hookStack('Lead shop', { dispatcher: true });
  const { stack, call } = fixture;

  it('a signed lead post opens one deal for its sender, with the value and title it carried, even when redelivered', async () => {
    const pipeline = (
      await call('POST', '/v1/pipelines', {
        name: 'Inbound',
        stages: [
          { name: 'New', winProbability: 10 },
          { name: 'Won', closedWon: true },
        ],
      })
    ).json();
    const journey = await call('POST', '/v1/journeys', {
      name: 'Lead to deal',
      nodes: [
        { id: 'start', type: 'trigger.event', config: { event: 'Lead Submitted' } },
        {
          id: 'deal',
          type: 'deal.create',
          config: {
            pipelineId: pipeline.id,
            title: 'Website lead',
            titleProperty: 'company',
            valueProperty: 'budget',
            currency: 'EUR',
          },
        },
        { id: 'done', type: 'exit', config: {} },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'deal' },
        { id: 'b', source: 'deal', target: 'done' },
      ],
    });
    expect(journey.statusCode, journey.body).toBe(201);
    const published = await call('POST', `/v1/journeys/${journey.json().id}/publish`);
    expect(published.statusCode, published.body).toBe(201);

    const hook = await fixture.createHook('Lead form', { eventName: 'Lead Submitted', emailPath: 'email' });
    const body = { email: 'lena@example.com', company: 'Lena GmbH', budget: 4200 };
    const webhookId = `msg_${randomUUID()}`;
    const deliver = () => fixture.deliver(hook, body, webhookId);
    expect([200, 202]).toContain((await deliver()).statusCode);
    expect((await deliver()).json()).toMatchObject({ duplicate: true });

    const deal = await eventually(async () => {
      const [row] = await stack.db.select().from(deals).where(eq(deals.workspaceId, fixture.workspace.id));
      return row;
    }, 20_000);
    expect(deal).toMatchObject({ title: 'Lena GmbH', value: 4200, currency: 'EUR', status: 'open' });
    const view = (await call('GET', `/v1/deals/${deal.id}`)).json();
    const [sender] = await stack.db.select().from(contacts).where(eq(contacts.id, view.contacts[0].id));
    expect(sender.email).toBe('lena@example.com');
    // The redelivery was a duplicate event: still one deal a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(
      await stack.db.select().from(deals).where(eq(deals.workspaceId, fixture.workspace.id)),
    ).toHaveLength(1);
  });
});
