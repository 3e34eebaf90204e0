import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../db/schema';
import type { Run as RunView } from '../../../engine/api/schemas/journeys';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { channelStack, emailThroughSmtp } from '../../helpers/channel-stack';
import { eventually } from '../audience/ingest/ingest-harness';
import { workspaceCaller } from './api-call';

const PUBLIC_URL = 'http://wayline.test';

/** start → pro? (plan is "pro" and tagged "vip") → true: email "news" → wait a day → tag; false: end. */
const graph = {
  name: 'Replayed',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    {
      id: 'pro',
      type: 'branch.condition',
      config: {
        conditions: [
          { kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' },
          { kind: 'tag', tag: 'vip' },
        ],
      },
    },
    { id: 'send', type: 'email.send', config: { template: 'news' } },
    { id: 'wait', type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
    { id: 'tag', type: 'contact.update', config: { addTags: ['done'] } },
  ],
  edges: [
    { id: 'e0', source: 'start', sourceHandle: 'next', target: 'pro' },
    { id: 'e1', source: 'pro', sourceHandle: 'true', target: 'send' },
    { id: 'e2', source: 'send', sourceHandle: 'next', target: 'wait' },
    { id: 'e3', source: 'wait', sourceHandle: 'next', target: 'tag' },
  ],
};

/**
 * The run path the canvas replays (`GET /v1/journeys/:id/runs` and the contact's runs): a
 * branch's step records the values that decided it, each send step carries the message it sent with its status as it is now, so an opened email shows
 * opened; the wait the run is in is open (no `leftAt`) and records until when it waits. API, PGlite, real Temporal test server,
 * SMTP sink.
 */
describe("replaying a run's path: messages with their status now (API, Temporal test server)", () => {
  const stack = channelStack('time-skipping', { publicUrl: PUBLIC_URL, smtpSink: true });
  let workspace: NewWorkspace;
  beforeAll(async () => {
    const { db, channels, sink } = stack;
    workspace = await createWorkspace(db, 'Replay');
    await emailThroughSmtp(db, channels, workspace.id, sink.port, 'News <news@acme.test>');
    await createTemplate(db, workspace.id, {
      name: 'news',
      channel: 'email',
      subject: 'News',
      body: 'Read it at https://acme.test/news',
      html: '<html><body><a href="https://acme.test/news">Read</a></body></html>',
    });
  });
  const call = workspaceCaller(
    () => stack.app,
    () => workspace.secretKey,
  );

  it('shows the values a branch decided on, the sent message on its step, then opened once the contact opened it', async () => {
    const journey = await call<{ id: string }>('POST', '/v1/journeys', graph);
    expect((await call('POST', `/v1/journeys/${journey.body.id}/publish`)).status).toBe(201);
    const contact = await call<{ id: string }>('POST', '/v1/contacts', {
      userId: 'reader',
      email: 'reader@example.com',
      attributes: { plan: 'pro' },
      tags: ['vip'],
    });
    const enrolled = await call('POST', `/v1/journeys/${journey.body.id}/enroll`, {
      contactIds: [contact.body.id],
    });
    expect(enrolled.status).toBe(200);

    const runPath = async () => {
      const runs = await call<{ data: RunView[] }>('GET', `/v1/journeys/${journey.body.id}/runs`);
      return runs.body.data[0]?.path ?? [];
    };
    const path = await eventually(async () => {
      const steps = await runPath();
      return steps.some((s) => s.nodeId === 'wait') ? steps : undefined;
    }, 30_000);
    const [row] = await stack.db.select().from(messages).where(eq(messages.contactId, contact.body.id));
    expect(row.status).toBe('sent');
    expect(path.map((s) => [s.nodeId, s.port, s.message ?? null])).toEqual([
      ['start', 'next', null],
      ['pro', 'true', null],
      ['send', 'next', { id: row.id, channel: 'email', status: 'sent', reason: null }],
      ['wait', null, null],
    ]);
    // The branch went "true" on the contact's plan and tag, as it had them.
    expect(path[1].outcome).toEqual({ values: { 'attribute.plan': 'pro', 'tag.vip': true } });
    // Still waiting: the wait's visit is open, and says until when (entered + 1 day).
    expect(path[3].leftAt).toBeNull();
    expect(path[3].outcome).toEqual({
      until: new Date(Date.parse(String(path[3].enteredAt)) + 86_400_000).toISOString(),
    });

    // The contact opens the email (the open pixel of the mail the sink received).
    const mail = await eventually(async () =>
      stack.sink.mails.find((m) => JSON.stringify(m.to).includes('reader@')),
    );
    const src = /<img src="([^"]+)" width="1" height="1"/.exec(String(mail.html))?.[1];
    const pixel = await stack.app.inject({
      method: 'GET',
      url: new URL(src!.replace(/&amp;/g, '&')).pathname,
    });
    expect(pixel.statusCode).toBe(200);
    const send = (await runPath()).find((s) => s.nodeId === 'send');
    expect(send?.message).toEqual({ id: row.id, channel: 'email', status: 'opened', reason: null });
    // The contact's runs (the profile's replay link) carry the same.
    const ofContact = await call<{ data: RunView[] }>('GET', `/v1/contacts/${contact.body.id}/runs`);
    expect(ofContact.body.data[0].path.find((s) => s.nodeId === 'send')?.message?.status).toBe('opened');
  }, 90_000);
});
