import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { messages } from '../../../db/schema';
import { refreshAffinity } from '../../../engine/analytics/affinity';
import { createRegistry } from '../../../engine/automation/nodes';
import type { JourneyRunResult } from '../../../engine/automation/runs/types';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { testChannelDeps } from '../../helpers/channels';
import { publishGraph, startRun, teaShopOrders } from '../../helpers/fixtures';
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
    const ada = await teaShopOrders(db, workspaceId);
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
      contactId: ada,
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
