import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events } from '../../../db/schema';
import { refreshAffinity } from '../../../engine/analytics/affinity';
import { refreshRfm } from '../../../engine/analytics/rfm';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { previewTemplate } from '../../../engine/messaging/templates/preview';
import { databaseKinds, openTestDb } from '../../helpers/databases';

describe.each(databaseKinds())('analytics results in Liquid (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  let ada: string;

  beforeAll(async () => {
    database = await openTestDb(kind);
    const { db } = database;
    workspaceId = (await createWorkspace(db, 'Liquid')).id;
    const baskets = [
      ['tea', 'cups'],
      ['tea', 'cups'],
      ['tea', 'cups', 'honey'],
      ['kettle'],
      ['tea', 'honey'],
    ];
    const rows: (typeof events.$inferInsert)[] = [];
    for (const [i, basket] of baskets.entries()) {
      const c = await createContact(db, workspaceId, { userId: `c${i}` });
      rows.push({
        workspaceId,
        contactId: c.id,
        messageId: `o${i}`,
        type: 'track',
        name: 'Order Completed',
        properties: { total: 20 + i, products: basket.map((product_id) => ({ product_id })) },
        timestamp: new Date(Date.now() - (i + 1) * 86_400_000),
      });
    }
    ada = (await createContact(db, workspaceId, { userId: 'ada', email: 'ada@example.com' })).id;
    rows.push({
      workspaceId,
      contactId: ada,
      messageId: 'ada',
      type: 'track',
      name: 'Order Completed',
      properties: { total: 99, products: [{ product_id: 'tea' }] },
      timestamp: new Date(),
    });
    await db.insert(events).values(rows);
    await refreshRfm(db, workspaceId);
    await refreshAffinity(db, workspaceId, { minSupport: 0.3, minConfidence: 0.5, minLift: 1 });
  });
  afterAll(async () => database?.close());

  it('exposes contact.rfm, recommendations and bought_together to templates', async () => {
    const rendered = await previewTemplate(
      database.db,
      workspaceId,
      {
        name: 'offer',
        subject: 'For {{ contact.rfm.segment }} (R{{ contact.rfm.r }})',
        preheader: null,
        body: 'Try {{ recommendations | join: "," }}; with tea: {{ bought_together.tea | join: "," }}; CLV {{ contact.clv.value | default: "n/a" }}',
        html: null,
      } as never,
      { contactId: ada },
    );
    expect(rendered.subject).toMatch(/^For [a-z_]+ \(R5\)$/);
    // Ada bought tea: the rules from tea suggest cups (and never tea itself).
    expect(rendered.text).toContain('Try cups');
    expect(rendered.text).toContain('with tea: cups');
    expect(rendered.text).toContain('CLV n/a');
    expect(rendered.text).not.toMatch(/Try[^;]*tea/);
  });

  it('answers the bought_with filter for any product given at render time', async () => {
    const rendered = await previewTemplate(
      database.db,
      workspaceId,
      {
        name: 'cart',
        subject: 'x',
        preheader: null,
        // Ada never bought cups or honey; the rules still answer for them.
        body: '{{ "cups" | bought_with | join: "," }}|{{ "honey" | bought_with: 1 | join: "," }}|{{ "kettle" | bought_with | size }}',
        html: null,
      } as never,
      { contactId: ada },
    );
    // cups ⇒ tea and honey ⇒ tea hold with confidence 1 (every order with cups or honey has tea);
    // the kettle was bought alone once, so nothing is bought with it.
    expect(rendered.text).toBe('tea|tea|0');
  });
});
