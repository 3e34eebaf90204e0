import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, messages } from '../../../db/schema';
import { refreshAffinity } from '../../../engine/analytics/affinity';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createRegistry } from '../../../engine/automation/nodes';
import type { JourneyRunResult } from '../../../engine/automation/runs/types';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { testChannelDeps } from '../../helpers/channels';
import { publishGraph, startRun } from '../../helpers/fixtures';
import { journeyStack } from '../../helpers/stack';

const registryFor = (db: Parameters<typeof testChannelDeps>[0]) =>
  createRegistry([], { channels: testChannelDeps(db) });

/**
 * A journey's sends read the analytics results only when the message names them, in its own
 * Liquid or in a layout it uses; the product suggestions must reach the message either way
 * (real Temporal test server, PGlite).
 */
describe('analytics results in a journey send', () => {
  const stack = journeyStack('time-skipping', { registry: registryFor });

  it('renders recommendations named in the template and in its layout, and a template naming none', async () => {
    const { db, temporal } = stack;
    const workspaceId = (await createWorkspace(db, 'Liquid sends')).id;
    // Baskets: tea ⇒ cups holds (3 of the 4 tea orders have cups); Ada bought tea alone.
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
        properties: { total: 20, products: basket.map((product_id) => ({ product_id })) },
        timestamp: new Date(Date.now() - (i + 1) * 86_400_000),
      });
    }
    const ada = await createContact(db, workspaceId, { userId: 'ada', email: 'ada@example.com' });
    rows.push({
      workspaceId,
      contactId: ada.id,
      messageId: 'ada',
      type: 'track',
      name: 'Order Completed',
      properties: { total: 99, products: [{ product_id: 'tea' }] },
      timestamp: new Date(),
    });
    await db.insert(events).values(rows);
    await refreshAffinity(db, workspaceId, { minSupport: 0.3, minConfidence: 0.5, minLift: 1 });

    await createTemplate(db, workspaceId, {
      name: 'direct',
      channel: 'email',
      subject: 'Picked for you',
      body: 'Try {{ recommendations | join: "," }}',
    });
    await createTemplate(db, workspaceId, {
      name: 'shop',
      channel: 'layout',
      body: 'Picks: {{ recommendations | join: "," }} / {% block content %}{% endblock %}',
    });
    await createTemplate(db, workspaceId, {
      name: 'wrapped',
      channel: 'email',
      subject: 'News',
      body: "{% layout 'shop' %}{% block content %}Hello{% endblock %}",
    });
    await createTemplate(db, workspaceId, {
      name: 'plain',
      channel: 'email',
      subject: 'Hi',
      body: 'Hello {{ contact.email }}',
    });
    const { journey } = await publishGraph(
      db,
      workspaceId,
      {
        name: 'Suggestions',
        nodes: [
          { id: 'start', type: 'trigger.manual', config: {} },
          { id: 'direct', type: 'email.send', config: { template: 'direct' } },
          { id: 'wrapped', type: 'email.send', config: { template: 'wrapped' } },
          { id: 'plain', type: 'email.send', config: { template: 'plain' } },
        ],
        edges: [
          { id: 'e1', source: 'start', target: 'direct' },
          { id: 'e2', source: 'direct', sourceHandle: 'next', target: 'wrapped' },
          { id: 'e3', source: 'wrapped', sourceHandle: 'next', target: 'plain' },
        ],
      },
      registryFor(db),
    );
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId,
      journeyId: journey.id,
      contactId: ada.id,
    });
    const result: JourneyRunResult = await handle.result();
    expect(result.status).toBe('completed');
    const sent = await db.select().from(messages).where(eq(messages.workflowId, workflowId));
    const body = (node: string) => sent.find((m) => m.nodeId === node)?.body;
    expect(body('direct')).toBe('Try cups');
    expect(body('wrapped')).toBe('Picks: cups / Hello');
    expect(body('plain')).toBe('Hello ada@example.com');
  });
});
