import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contacts, events, journeyRuns, messages, nodeVisits } from '../../../db/schema';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { bearer } from '../../helpers/app';
import { channelStack } from '../../helpers/channel-stack';

/** start → split (a 50 / b 50) → a: email "offer-a" → thanks; b: email "offer-b" → b-extra. */
const graph = {
  name: 'Split test',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    {
      id: 'split',
      type: 'split.random',
      config: {
        branches: [
          { port: 'a', weight: 50 },
          { port: 'b', weight: 50 },
        ],
      },
    },
    { id: 'mail-a', type: 'email.send', config: { template: 'offer-a' } },
    { id: 'thanks', type: 'contact.update', config: { addTags: ['a'] } },
    { id: 'mail-b', type: 'email.send', config: { template: 'offer-b' } },
    { id: 'b-extra', type: 'contact.update', config: { addTags: ['b'] } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'split' },
    { id: 'ea', source: 'split', sourceHandle: 'a', target: 'mail-a' },
    { id: 'eb', source: 'split', sourceHandle: 'b', target: 'mail-b' },
    { id: 'e2', source: 'mail-a', sourceHandle: 'next', target: 'thanks' },
    { id: 'e3', source: 'mail-b', sourceHandle: 'next', target: 'b-extra' },
  ],
  settings: { goal: { event: 'Purchased' } },
};

/**
 * A journey's random split gets the campaigns' A/B report (per branch rates, winner and its
 * significance) and "promote the winner" publishes a version where everyone takes that branch
 * (API, PGlite, real Temporal test server).
 */
describe('A/B report and promoting the winner of a journey split (API, Temporal test server)', () => {
  const stack = channelStack('time-skipping');
  let workspace: NewWorkspace;
  let journeyId: string;
  beforeAll(async () => {
    workspace = await createWorkspace(stack.db, 'Splits');
    for (const name of ['offer-a', 'offer-b']) {
      await createTemplate(stack.db, workspace.id, { name, channel: 'email', subject: name, body: 'Hi' });
    }
  });
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });

  /**
   * Branch a: 10 runs, 8 sent, 4 opened (2 of them also clicked), 3 converted.
   * Branch b: 10 runs, 10 sent, 2 opened (1 clicked), 1 converted.
   */
  async function seed() {
    const { db } = stack;
    const t0 = new Date('2026-01-01T00:00:00Z');
    for (const [branch, sent, opened, clicked, converted] of [
      ['a', 8, 4, 2, 3],
      ['b', 10, 2, 1, 1],
    ] as const) {
      for (let i = 0; i < 10; i++) {
        const [contact] = await db
          .insert(contacts)
          .values({ workspaceId: workspace.id, externalId: `${branch}-${i}` })
          .returning();
        const workflowId = `split-${branch}-${i}`;
        await db.insert(journeyRuns).values({
          workspaceId: workspace.id,
          journeyId,
          version: 1,
          contactId: contact.id,
          entry: 1,
          workflowId,
          status: i < converted ? 'converted' : 'completed',
        });
        await db.insert(nodeVisits).values({
          workspaceId: workspace.id,
          journeyId,
          version: 1,
          workflowId,
          nodeId: 'split',
          visit: 1,
          port: branch,
          enteredAt: t0,
          leftAt: t0,
        });
        if (i >= sent) continue;
        const [message] = await db
          .insert(messages)
          .values({
            workspaceId: workspace.id,
            idempotencyKey: `${workflowId}:mail-${branch}:1`,
            contactId: contact.id,
            journeyId,
            workflowId,
            nodeId: `mail-${branch}`,
            channel: 'email',
            status: 'sent',
          })
          .returning();
        const track = (name: string) => ({
          workspaceId: workspace.id,
          messageId: randomUUID(),
          contactId: contact.id,
          type: 'track',
          name,
          properties: { messageId: message.id },
          timestamp: new Date(),
        });
        if (i < opened) await db.insert(events).values(track('Email Opened'));
        if (i < clicked) await db.insert(events).values(track('Email Link Clicked'));
      }
    }
  }

  it('reports each branch with its rates and the winner, then promotes it', async () => {
    const created = await call('POST', '/v1/journeys', graph);
    expect(created.statusCode).toBe(201);
    journeyId = created.json().id;
    expect((await call('POST', `/v1/journeys/${journeyId}/publish`)).statusCode).toBe(201);
    await seed();

    const report = await call('GET', `/v1/journeys/${journeyId}/splits/split/report`);
    expect(report.statusCode).toBe(200);
    const body = report.json();
    expect(body.metric).toBe('conversion');
    expect(body.branches).toEqual([
      {
        branch: 'a',
        weight: 50,
        runs: 10,
        sent: 8,
        opened: 4,
        clicked: 2,
        converted: 3,
        openRate: 0.5,
        clickRate: 0.25,
        conversionRate: 0.3,
      },
      {
        branch: 'b',
        weight: 50,
        runs: 10,
        sent: 10,
        opened: 2,
        clicked: 1,
        converted: 1,
        openRate: 0.2,
        clickRate: 0.1,
        conversionRate: 0.1,
      },
    ]);
    // Conversions 3/10 against 1/10: pooled 0.2, se = √(0.2 × 0.8 × (1/10 + 1/10)) = 0.178885,
    // z = 0.2 / 0.178885 = 1.1180, p = 2 × (1 − Φ(1.1180)) = 0.2636: not significant.
    expect(body.winner).toBe('a');
    expect(body.significance.runnerUp).toBe('b');
    expect(body.significance.z).toBeCloseTo(1.118, 3);
    expect(body.significance.pValue).toBeCloseTo(0.2636, 3);
    expect(body.significance.significant).toBe(false);
    // By opens: 4/8 against 2/10; pooled 6/18, se = √(1/3 × 2/3 × (1/8 + 1/10)) = 0.22361,
    // z = 0.3 / 0.22361 = 1.3416.
    const opens = (await call('GET', `/v1/journeys/${journeyId}/splits/split/report?metric=open`)).json();
    expect(opens.winner).toBe('a');
    expect(opens.significance.z).toBeCloseTo(1.3416, 3);

    expect((await call('GET', `/v1/journeys/${journeyId}/splits/mail-a/report`)).json().error.code).toBe(
      'not_a_split',
    );
    expect((await call('GET', `/v1/journeys/${journeyId}/splits/nowhere/report`)).statusCode).toBe(404);
    const wrong = await call('POST', `/v1/journeys/${journeyId}/splits/split/promote`, { branch: 'c' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.field).toBe('branch');

    const promoted = await call('POST', `/v1/journeys/${journeyId}/splits/split/promote`, {
      branch: 'a',
      migrate: true,
    });
    expect(promoted.statusCode).toBe(201);
    expect(promoted.json()).toMatchObject({ version: 2, branch: 'a', migration: { toVersion: 2 } });
    const v2 = (await call('GET', `/v1/journeys/${journeyId}/versions/2`)).json();
    // The split and branch b are gone; the trigger leads straight to branch a.
    expect(v2.graph.nodes.map((n: { id: string }) => n.id)).toEqual(['start', 'mail-a', 'thanks']);
    expect(v2.graph.edges.map((e: { source: string; target: string }) => `${e.source}→${e.target}`)).toEqual([
      'start→mail-a',
      'mail-a→thanks',
    ]);
    expect(v2.note).toContain('branch "a"');
    const audit = (await call('GET', '/v1/audit-log?action=journey.split.promote')).json();
    expect(audit.data[0]).toMatchObject({ action: 'journey.split.promote' });

    // A contact entering now takes branch a.
    const contact = (await call('POST', '/v1/contacts', { userId: 'new', email: 'new@example.com' })).json();
    expect(
      (await call('POST', `/v1/journeys/${journeyId}/enroll`, { contactIds: [contact.id] })).statusCode,
    ).toBe(200);
    const [run] = await stack.db.select().from(journeyRuns).where(eq(journeyRuns.contactId, contact.id));
    await stack.temporal.client.workflow.getHandle(run.workflowId).result();
    const visits = await stack.db.select().from(nodeVisits).where(eq(nodeVisits.workflowId, run.workflowId));
    expect(visits.map((v) => `v${v.version}:${v.nodeId}`).sort()).toEqual([
      'v2:mail-a',
      'v2:start',
      'v2:thanks',
    ]);
  }, 120_000);
});
