import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, messages, nodeVisits } from '../../../../db/schema';
import { createContact, getContact } from '../../../../engine/audience/contacts/contacts';
import type { JourneyGraphInput } from '../../../../engine/automation/journeys/model';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import type { JourneyRunResult } from '../../../../engine/automation/runs/types';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { type ChannelStack, channelStack, emailThroughSmtp } from '../../../helpers/channel-stack';
import { pathOf, publishGraph } from '../../../helpers/fixtures';
import { eventually } from '../../audience/ingest/ingest-harness';

const PUBLIC_URL = 'http://wayline.test';
const GIF_HEADER = Buffer.from('GIF89a');

/** email.send → wait.event “Email Opened” for a day → matched / timeout, each marking the contact. */
const openJourney = (name: string): JourneyGraphInput => ({
  name,
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'send', type: 'email.send', config: { template: 'news' } },
    {
      id: 'wait',
      type: 'wait.event',
      config: { event: 'Email Opened', timeout: { amount: 1, unit: 'days' } },
    },
    { id: 'opened', type: 'contact.update', config: { set: { outcome: 'opened' } } },
    { id: 'ignored', type: 'contact.update', config: { set: { outcome: 'ignored' } } },
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: 'next', target: 'send' },
    { id: 'e2', source: 'send', sourceHandle: 'next', target: 'wait' },
    { id: 'e3', source: 'wait', sourceHandle: 'matched', target: 'opened' },
    { id: 'e4', source: 'wait', sourceHandle: 'timeout', target: 'ignored' },
  ],
});

/** A Temporal server with a journey worker, the API and an outbox dispatcher, as `npm start` runs them. */
function stackOn(server: 'time-skipping' | 'dev-server') {
  const stack = channelStack(server, { publicUrl: PUBLIC_URL, smtpSink: true }) as ChannelStack &
    Awaited<ReturnType<typeof opensWorkspace>>;
  let dispatcher: Dispatcher | undefined;
  beforeAll(async () => {
    const { db, temporal } = stack;
    dispatcher = startDispatcher(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { pollMs: 100, maxBackoffMs: 1000 },
    );
    Object.assign(stack, await opensWorkspace(stack));
  });
  afterAll(async () => {
    await dispatcher?.stop();
  });
  return stack;
}

/** A workspace sending through the sink, and the journey its contacts are enrolled in. */
async function opensWorkspace({ db, temporal, channels, registry, sink }: ChannelStack) {
  const workspace = await createWorkspace(db, 'Opens');
  await emailThroughSmtp(db, channels, workspace.id, sink.port, 'News <news@acme.test>');
  await createTemplate(db, workspace.id, {
    name: 'news',
    channel: 'email',
    subject: 'News for {{ contact.first_name }}',
    body: 'Read it at https://acme.test/news',
    html: '<html><body><p>Hi {{ contact.first_name }}</p><a href="https://acme.test/news">Read</a></body></html>',
  });
  const { journey } = await publishGraph(db, workspace.id, openJourney(`Opens ${Math.random()}`), registry);

  async function enroll(email: string) {
    const contact = await createContact(db, workspace.id, {
      userId: email,
      email,
      attributes: { first_name: 'Ada' },
    });
    const before = sink.mails.length;
    const enrolled = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    return { contact, workflowId: enrolled.workflowId, before };
  }

  return { workspace, enroll };
}

const pixelPath = (html: string) => {
  const src = /<img src="([^"]+)" width="1" height="1"/.exec(html)?.[1];
  if (!src) throw new Error('no open pixel in the received HTML');
  return new URL(src.replace(/&amp;/g, '&')).pathname;
};

describe('open pixel (real Temporal dev server, outbox dispatcher, PGlite, smtp-server sink)', () => {
  const stack = stackOn('dev-server');
  let { temporal } = {} as ChannelStack;
  beforeAll(() => {
    ({ temporal } = stack);
  });

  async function messageOf(workflowId: string) {
    const [row] = await stack.database.db.select().from(messages).where(eq(messages.workflowId, workflowId));
    return row;
  }

  async function waiting(workflowId: string) {
    return eventually(async () => {
      const visits = await stack.database.db
        .select()
        .from(nodeVisits)
        .where(and(eq(nodeVisits.workflowId, workflowId), eq(nodeVisits.nodeId, 'wait')));
      return visits.length > 0;
    });
  }

  it('serves a 1×1 GIF, marks the message opened, stores “Email Opened” and a waiting run takes its matched path', async () => {
    const { db } = stack.database;
    const { contact, workflowId, before } = await stack.enroll('opener@example.com');
    const other = await stack.enroll('ignorer@example.com');
    await waiting(workflowId);
    await waiting(other.workflowId);
    const mail = await eventually(async () =>
      stack.sink.mails.slice(before).find((m) => m.to && JSON.stringify(m.to).includes('opener@')),
    );
    expect((await messageOf(workflowId)).status).toBe('sent');

    const pixel = await stack.app.inject({ method: 'GET', url: pixelPath(mail.html as string) });
    expect(pixel.statusCode).toBe(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    expect(pixel.rawPayload.subarray(0, 6).equals(GIF_HEADER)).toBe(true);
    expect(pixel.rawPayload.readUInt16LE(6)).toBe(1); // width
    expect(pixel.rawPayload.readUInt16LE(8)).toBe(1); // height

    const message = await messageOf(workflowId);
    expect(message.status).toBe('opened');
    const opened = await db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Email Opened')));
    expect(opened).toHaveLength(1);
    expect(opened[0].properties).toMatchObject({ messageId: message.id, channel: 'email', nodeId: 'send' });

    const result: JourneyRunResult = await temporal.client.workflow.getHandle(workflowId).result();
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'send:next', 'wait:matched', 'opened:next']);
    expect((await getContact(db, stack.workspace.id, contact.id)).attributes.outcome).toBe('opened');

    // Opening again is one event, one status.
    expect((await stack.app.inject({ method: 'GET', url: pixelPath(mail.html as string) })).statusCode).toBe(
      200,
    );
    const again = await db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Email Opened')));
    expect(again).toHaveLength(1);

    // The contact who did not open is still waiting on the same node.
    expect(await pathOf(db, other.workflowId)).toEqual(['start:next', 'send:next', 'wait']);
    expect((await messageOf(other.workflowId)).status).toBe('sent');
    await temporal.client.workflow.getHandle(other.workflowId).terminate('test over');
  });

  it('never moves a clicked message back to opened', async () => {
    const { contact, workflowId, before } = await stack.enroll('clicker@example.com');
    await waiting(workflowId);
    const mail = await eventually(async () =>
      stack.sink.mails.slice(before).find((m) => JSON.stringify(m.to).includes('clicker@')),
    );
    const href = /<a href="([^"]+)">Read<\/a>/.exec(mail.html as string)![1];
    const click = await stack.app.inject({
      method: 'GET',
      url: new URL(href.replace(/&amp;/g, '&')).pathname,
    });
    expect(click.statusCode).toBe(302);
    expect((await messageOf(workflowId)).status).toBe('clicked');

    const pixel = await stack.app.inject({ method: 'GET', url: pixelPath(mail.html as string) });
    expect(pixel.statusCode).toBe(200);
    expect((await messageOf(workflowId)).status).toBe('clicked');
    // The open is still an event on the contact, so the run waiting for it goes on.
    await temporal.client.workflow.getHandle(workflowId).result();
    expect(await pathOf(stack.database.db, workflowId)).toContain('wait:matched');
    expect(contact.id).toBeTruthy();
  });
});

describe('unopened email (real time-skipping test server, outbox dispatcher, PGlite, smtp-server sink)', () => {
  const stack = stackOn('time-skipping');
  let { temporal } = {} as ChannelStack;
  beforeAll(() => {
    ({ temporal } = stack);
  });

  it('takes the timeout path when the email is not opened within a day', async () => {
    const { db } = stack.database;
    const { contact, workflowId } = await stack.enroll('away@example.com');
    const result: JourneyRunResult = await temporal.client.workflow.getHandle(workflowId).result();
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual(['start:next', 'send:next', 'wait:timeout', 'ignored:next']);
    expect((await getContact(db, stack.workspace.id, contact.id)).attributes.outcome).toBe('ignored');
    const [message] = await db.select().from(messages).where(eq(messages.workflowId, workflowId));
    expect(message.status).toBe('sent');
  });
});
