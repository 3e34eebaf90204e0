import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { refreshAffinity } from '../../../engine/analytics/affinity';
import { refreshRfm } from '../../../engine/analytics/rfm';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { previewTemplate } from '../../../engine/messaging/templates/preview';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { teaShopOrders } from '../../helpers/fixtures';

describe.each(databaseKinds())('analytics results in Liquid (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  let ada: string;

  beforeAll(async () => {
    database = await openTestDb(kind);
    const { db } = database;
    workspaceId = (await createWorkspace(db, 'Liquid')).id;
    ada = await teaShopOrders(db, workspaceId);
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
