import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, journeyRuns, outbox } from '../../../db/schema';
import { abandonedCart } from '../../../engine/automation/journeys/templates/abandoned-cart';
import { statusQuery } from '../../../engine/automation/runs/signals';
import { databaseKinds } from '../../helpers/databases';
import { line, pathOf, publishGraph } from '../../helpers/fixtures';
import {
  contactByUserId,
  eventually,
  type IngestHarness,
  post,
  startIngestHarness,
} from '../audience/ingest/ingest-harness';

describe.each(databaseKinds())(
  'events reach journeys (real API, %s, Temporal dev server, worker)',
  (kind) => {
    let h: IngestHarness;

    beforeAll(async () => {
      h = await startIngestHarness(kind);
    });
    afterAll(async () => h?.close());

    const runsOf = (journeyId: string, contactId: string) =>
      h.database.db
        .select()
        .from(journeyRuns)
        .where(and(eq(journeyRuns.journeyId, journeyId), eq(journeyRuns.contactId, contactId)));

    it('a track call starts the cart-recovery journey and a later Order Completed ends it by the goal', async () => {
      const { journey } = await publishGraph(h.database.db, h.workspace.id, abandonedCart.graph);
      const abandoned = await post(h.app, '/v1/track', h.workspace.writeKey, {
        userId: 'shopper-1',
        event: 'Cart Abandoned',
        messageId: randomUUID(),
        properties: { cartUrl: 'https://shop.example/cart/1', total: 42 },
      });
      expect([200, 202]).toContain(abandoned.statusCode);
      const contact = await contactByUserId(h.database, h.workspace.id, 'shopper-1');
      const [run] = await eventually(async () => {
        const runs = await runsOf(journey.id, contact.id);
        return runs.length ? runs : undefined;
      });
      const handle = h.temporal.client.workflow.getHandle(run.workflowId);
      // The run waits for the order at its first wait.event node.
      await eventually(async () => (await handle.query(statusQuery)).cursor === 'wait-1-hour');

      const ordered = await post(h.app, '/v1/track', h.workspace.writeKey, {
        userId: 'shopper-1',
        event: 'Order Completed',
        messageId: randomUUID(),
        properties: { orderId: 'o-1' },
      });
      expect([200, 202]).toContain(ordered.statusCode);
      const result = await handle.result();
      expect(result.status).toBe('converted');
      expect(result.reason).toBe('goal: Order Completed');
      const [ended] = await eventually(async () => {
        const runs = await runsOf(journey.id, contact.id);
        return runs[0]?.status === 'converted' ? runs : undefined;
      });
      expect(ended.triggerEventId).toBeTruthy();
      expect(await pathOf(h.database.db, run.workflowId)).not.toContain('cart-reminder:next');
    });

    it('the same messageId sent 100 times at once gives one event row and one run', async () => {
      const { journey } = await publishGraph(
        h.database.db,
        h.workspace.id,
        line(
          'Signed up',
          [
            { id: 'signed-up', type: 'trigger.event', config: { event: 'Signed Up' } },
            { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
          ],
          { reEntry: { mode: 'always', minInterval: { amount: 1, unit: 'minutes' } } },
        ),
      );
      const messageId = randomUUID();
      const answers = await Promise.all(
        Array.from({ length: 100 }, () =>
          post(h.app, '/v1/track', h.workspace.writeKey, { userId: 'racer', event: 'Signed Up', messageId }),
        ),
      );
      for (const answer of answers) expect([200, 202]).toContain(answer.statusCode);
      expect(answers.filter((a) => a.json().accepted === 1)).toHaveLength(1);

      const stored = await h.database.db
        .select()
        .from(events)
        .where(and(eq(events.workspaceId, h.workspace.id), eq(events.messageId, messageId)));
      expect(stored).toHaveLength(1);
      await eventually(async () => {
        const [row] = await h.database.db.select().from(outbox).where(eq(outbox.eventId, stored[0].id));
        return row?.status === 'delivered';
      });
      const contact = await contactByUserId(h.database, h.workspace.id, 'racer');
      expect(await runsOf(journey.id, contact.id)).toHaveLength(1);
    });

    it('enrolls only when the trigger property filter matches', async () => {
      const { journey } = await publishGraph(
        h.database.db,
        h.workspace.id,
        line('Big orders', [
          {
            id: 'big-order',
            type: 'trigger.event',
            config: { event: 'Order Placed', where: [{ path: 'total', op: 'gte', value: 100 }] },
          },
          { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
        ]),
      );
      for (const [userId, total] of [
        ['small-spender', 20],
        ['big-spender', 250],
      ] as const) {
        await post(h.app, '/v1/track', h.workspace.writeKey, {
          userId,
          event: 'Order Placed',
          messageId: randomUUID(),
          properties: { total },
        });
      }
      const big = await contactByUserId(h.database, h.workspace.id, 'big-spender');
      const small = await contactByUserId(h.database, h.workspace.id, 'small-spender');
      await eventually(async () => (await runsOf(journey.id, big.id)).length === 1);
      await eventually(async () => {
        const pending = await h.database.db.select().from(outbox).where(eq(outbox.contactId, small.id));
        return pending.every((row) => row.status === 'delivered');
      });
      expect(await runsOf(journey.id, small.id)).toHaveLength(0);
    });
  },
);
