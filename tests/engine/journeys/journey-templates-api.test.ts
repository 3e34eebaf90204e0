import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyRuns, messages } from '../../../db/schema';
import { type Dispatcher, startDispatcher } from '../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { bearer } from '../../helpers/app';
import { channelStack } from '../../helpers/channel-stack';
import { eventually } from '../audience/ingest/ingest-harness';

describe('journey templates ship their message templates (API, real Temporal dev server, dispatcher, PGlite)', () => {
  const stack = channelStack('dev-server');
  let dispatcher: Dispatcher | undefined;
  let workspace: NewWorkspace;
  beforeAll(async () => {
    dispatcher = startDispatcher(
      { db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
      { pollMs: 100, maxBackoffMs: 1000 },
    );
    workspace = await createWorkspace(stack.db, 'Templates');
  });
  afterAll(async () => {
    await dispatcher?.stop();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });

  it('from-template → publish → Signed Up: the first welcome email renders and is sent', async () => {
    const created = await call('POST', '/v1/journeys/from-template', { template: 'welcome-series' });
    expect(created.statusCode).toBe(201);
    const templates = (await call('GET', '/v1/templates')).json().data as { name: string; channel: string }[];
    expect(templates.filter((t) => t.name.startsWith('welcome-')).map((t) => [t.name, t.channel])).toEqual([
      ['welcome-1', 'email'],
      ['welcome-2', 'email'],
      ['welcome-3', 'email'],
    ]);
    const journeyId = created.json().id as string;
    const validation = (await call('POST', `/v1/journeys/${journeyId}/validate`)).json();
    expect(validation.errors).toEqual([]);
    expect((await call('POST', `/v1/journeys/${journeyId}/publish`)).statusCode).toBe(201);

    const writeKey = { authorization: `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}` };
    const identified = await stack.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: writeKey,
      payload: { userId: 'ada', traits: { email: 'ada@example.com', firstName: 'Ada' } },
    });
    expect([200, 202]).toContain(identified.statusCode);
    const tracked = await stack.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: writeKey,
      payload: { userId: 'ada', event: 'Signed Up' },
    });
    expect([200, 202]).toContain(tracked.statusCode);
    const message = await eventually(async () => {
      const [run] = await stack.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journeyId));
      if (!run) return undefined;
      const [row] = await stack.db.select().from(messages).where(eq(messages.workflowId, run.workflowId));
      return row?.status && row.status !== 'queued' && row.status !== 'sending' ? row : undefined;
    }, 20_000);
    expect(message.nodeId).toBe('welcome-1');
    expect(message.status).toBe('sent');
    expect(message.subject).toBe('Welcome aboard, Ada!');
    expect(message.reason ?? '').not.toContain('does not exist');
  });

  it('a second journey from the same template keeps the templates the workspace already has', async () => {
    const first = (await call('GET', '/v1/templates')).json().data as { name: string; id: string }[];
    expect(
      (await call('POST', '/v1/journeys/from-template', { template: 'welcome-series', name: 'Again' }))
        .statusCode,
    ).toBe(201);
    const second = (await call('GET', '/v1/templates')).json().data as { name: string; id: string }[];
    expect(second.map((t) => t.id).sort()).toEqual(first.map((t) => t.id).sort());
  });

  it('refuses to publish a send naming a missing template or one of another channel, on that node, linking the template', async () => {
    const sms = await call('POST', '/v1/templates', { name: 'sms-hello', channel: 'sms', body: 'Hi' });
    expect(sms.statusCode).toBe(201);
    const journey = await call('POST', '/v1/journeys', {
      name: 'Broken sends',
      nodes: [
        { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
        { id: 'missing', type: 'email.send', config: { template: 'welcome-99' } },
        { id: 'wrong', type: 'email.send', config: { template: 'sms-hello' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'missing' },
        { id: 'e2', source: 'missing', sourceHandle: 'next', target: 'wrong' },
      ],
    });
    const id = journey.json().id as string;
    const refused = await call('POST', `/v1/journeys/${id}/publish`);
    expect(refused.statusCode).toBe(422);
    const problems = refused.json().error.problems as {
      code: string;
      nodeId: string;
      link?: { id?: string };
    }[];
    expect(problems.map((p) => `${p.code}@${p.nodeId}`)).toEqual([
      'template_missing@missing',
      'template_wrong_channel@wrong',
    ]);
    expect(problems[1].link?.id).toBe(sms.json().id);
    expect((await call('GET', `/v1/journeys/${id}`)).json()).toMatchObject({
      status: 'draft',
      activeVersion: null,
    });
  });
});
