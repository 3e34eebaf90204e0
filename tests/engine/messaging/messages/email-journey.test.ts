import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contacts, events, journeyRuns, messages } from '../../../../db/schema';
import { createContact, getContact } from '../../../../engine/audience/contacts/contacts';
import { storeContactEvent } from '../../../../engine/audience/ingest/contact-event';
import { createRegistry } from '../../../../engine/automation/nodes';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import { journeyCounts } from '../../../../engine/automation/runs/queries';
import type { JourneyRunResult } from '../../../../engine/automation/runs/types';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { defineNode } from '../../../../engine/sdk/define-node';
import { NodeError } from '../../../../engine/sdk/node-error';
import { headerLine } from '../../../connectors/peers';
import { type ChannelStack, channelStack, emailThroughSmtp } from '../../../helpers/channel-stack';
import { line, pathOf, publishGraph } from '../../../helpers/fixtures';

const PUBLIC_URL = 'http://wayline.test';

describe('email journeys end to end (real Temporal test server, PGlite, smtp-server sink)', () => {
  let crashes = 0;
  const stack = channelStack('time-skipping', {
    publicUrl: PUBLIC_URL,
    smtpSink: true,
    registry: (channels) => {
      const emailSend = createRegistry([], { channels }).get('email.send')!;
      // A node that sends through email.send and then loses its worker, as a crash right after the
      // provider accepted would: the activity is retried with the same idempotency key.
      const crashAfterSend = defineNode({
        ...emailSend,
        type: 'test.crash-after-send',
        async execute(config, ctx) {
          const result = await emailSend.execute!(config, ctx);
          crashes += 1;
          if (crashes === 1) throw NodeError.retryable('worker lost after the provider accepted the message');
          return result;
        },
      });
      return createRegistry([{ definition: crashAfterSend, source: 'test' }], { channels });
    },
  });
  // The tests below use the stack's parts by name.
  let { database, temporal, sink, channels, registry, app } = {} as ChannelStack;
  beforeAll(() => {
    ({ database, temporal, sink, channels, registry, app } = stack);
  });

  async function setup() {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Acme');
    const contact = await createContact(db, workspace.id, {
      userId: `u-${Math.random()}`,
      email: 'ada@example.com',
      attributes: { first_name: 'Ada' },
    });
    await emailThroughSmtp(db, channels, workspace.id, sink.port);
    await createTemplate(db, workspace.id, {
      name: 'welcome',
      channel: 'email',
      subject: 'Welcome, {{ contact.first_name }}',
      body: 'Hi {{ contact.first_name }}, start at https://acme.test/start',
      html: '<p>Hi {{ contact.first_name }} &amp; {{ event.plan | default: "friends" }}</p><a href="https://acme.test/start?x=1&amp;y=2">Start</a>',
    });
    return { workspace, contact };
  }

  async function run(
    workspaceId: string,
    contactId: string,
    nodeType = 'email.send',
    config: Record<string, unknown> = { template: 'welcome' },
  ) {
    const { journey } = await publishGraph(
      database.db,
      workspaceId,
      line(`Send ${Math.random()}`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: nodeType, config },
      ]),
      registry,
    );
    const enrolled = await enrollContact(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId, journeyId: journey.id, contactId },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    const result: JourneyRunResult = await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    const [message] = await database.db
      .select()
      .from(messages)
      .where(eq(messages.workflowId, enrolled.workflowId));
    return { workflowId: enrolled.workflowId, result, message };
  }

  it('delivers the rendered email with a tracked link and both unsubscribe headers; click and one-click unsubscribe work', async () => {
    const { workspace, contact } = await setup();
    const before = sink.mails.length;
    const first = await run(workspace.id, contact.id);

    expect(first.result.status).toBe('completed');
    expect(first.message).toMatchObject({ status: 'sent', provider: 'smtp', recipient: 'ada@example.com' });
    const mails = sink.mails.slice(before);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.subject).toBe('Welcome, Ada');
    expect(mail.text).toContain('Hi Ada, start at https://acme.test/start');
    expect(mail.html).toContain('<p>Hi Ada &amp; friends</p>');
    const unsubscribeHeader = headerLine(mail, 'List-Unsubscribe')!;
    expect(unsubscribeHeader).toMatch(/^<http:\/\/wayline\.test\/t\/u\/[^>]+>$/);
    expect(headerLine(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const href = /<a href="([^"]+)">Start<\/a>/.exec(mail.html as string)?.[1];
    expect(href).toMatch(/^http:\/\/wayline\.test\/t\/c\//);
    expect(mail.html).toContain(`${PUBLIC_URL}/t/o/`);

    const click = await app.inject({ method: 'GET', url: new URL(href!).pathname });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://acme.test/start?x=1&y=2');
    const clicks = await database.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Email Link Clicked')));
    expect(clicks).toHaveLength(1);
    expect(clicks[0].properties).toMatchObject({
      url: 'https://acme.test/start?x=1&y=2',
      messageId: first.message.id,
    });
    const [clicked] = await database.db.select().from(messages).where(eq(messages.id, first.message.id));
    expect(clicked.status).toBe('clicked');

    const unsubscribeUrl = unsubscribeHeader.slice(1, -1);
    const oneClick = await app.inject({
      method: 'POST',
      url: new URL(unsubscribeUrl).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect((await getContact(database.db, workspace.id, contact.id)).subscriptions).toMatchObject({
      email: 'unsubscribed',
    });
    const unsubscribed = await database.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Unsubscribed')));
    expect(unsubscribed).toHaveLength(1);

    const second = await run(workspace.id, contact.id);
    expect(second.message).toMatchObject({ status: 'suppressed', reason: 'unsubscribed' });
    expect(await pathOf(database.db, second.workflowId)).toEqual(['start:next', 'send:skipped']);
    expect(sink.mails.length).toBe(before + 1);
  });

  it('sends to another address taken from an attribute or the entry event, and skips with its reason when it is missing', async () => {
    const { workspace, contact } = await setup();
    const { db } = database;
    const manager = await createContact(db, workspace.id, {
      userId: `managed-${Math.random()}`,
      email: 'client@example.com',
      attributes: { first_name: 'Cleo', accountManager: { email: 'am@acme.test' } },
    });
    const before = sink.mails.length;
    const toManager = await run(workspace.id, manager.id, 'email.send', {
      template: 'welcome',
      transactional: true,
      to: { from: 'attribute', path: 'accountManager.email' },
    });
    expect(toManager.message).toMatchObject({ status: 'sent', recipient: 'am@acme.test' });
    expect(sink.mails.slice(before).map((m) => (m.to as { text: string }).text)).toEqual(['am@acme.test']);

    const missing = await run(workspace.id, contact.id, 'email.send', {
      template: 'welcome',
      to: { from: 'attribute', path: 'accountManager.email' },
    });
    expect(missing.result.status).toBe('completed');
    expect(missing.message).toMatchObject({ status: 'suppressed', reason: 'no-recipient', recipient: null });
    expect(await pathOf(db, missing.workflowId)).toEqual(['start:next', 'send:skipped']);

    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(`Notify ${Math.random()}`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        {
          id: 'send',
          type: 'email.send',
          config: { template: 'welcome', to: { from: 'event', path: 'notify' } },
        },
      ]),
      registry,
    );
    const enrolled = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      {
        workspaceId: workspace.id,
        journeyId: journey.id,
        contactId: contact.id,
        trigger: {
          id: 'evt-42',
          name: null,
          properties: { notify: 'ops@acme.test' },
          timestamp: new Date().toISOString(),
        },
      },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    const [message] = await db.select().from(messages).where(eq(messages.workflowId, enrolled.workflowId));
    const [runRow] = await db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, enrolled.workflowId));
    // The ledger row names the run and the event that started it.
    expect(message).toMatchObject({
      recipient: 'ops@acme.test',
      runId: runRow.id,
      triggerEventId: 'evt-42',
      test: false,
    });
  });

  it('labels the messages of a test contact as test', async () => {
    const { workspace } = await setup();
    const tester = await createContact(database.db, workspace.id, {
      userId: `tester-${Math.random()}`,
      email: 'qa@acme.test',
      attributes: { first_name: 'Quinn' },
    });
    await database.db.update(contacts).set({ isTest: true }).where(eq(contacts.id, tester.id));
    const { message } = await run(workspace.id, tester.id);
    expect(message).toMatchObject({ status: 'sent', test: true });
  });

  it('labels the messages of a run started by an event marked test (context.test)', async () => {
    const { workspace, contact } = await setup();
    const { db } = database;
    const stored = await storeContactEvent(db, {
      workspaceId: workspace.id,
      contactId: contact.id,
      messageId: `test-signup-${Math.random()}`,
      name: 'Signed Up',
      context: { test: true },
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(`Test event ${Math.random()}`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: 'email.send', config: { template: 'welcome' } },
      ]),
      registry,
    );
    const enrolled = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      {
        workspaceId: workspace.id,
        journeyId: journey.id,
        contactId: contact.id,
        trigger: {
          id: stored.eventId!,
          name: 'Signed Up',
          properties: {},
          timestamp: new Date().toISOString(),
        },
      },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    const [message] = await db.select().from(messages).where(eq(messages.workflowId, enrolled.workflowId));
    expect(message).toMatchObject({ status: 'sent', test: true });
    const counts = await journeyCounts(db, workspace.id, journey.id);
    expect(counts.entered).toBe(0);
    expect(counts.nodes.send?.messages).toBeUndefined();
  });

  it("counts a send node's messages (sent, delivered, opened, clicked, converted) with rates, test contacts left out", async () => {
    const { workspace, contact } = await setup();
    const { db } = database;
    const tester = await createContact(db, workspace.id, {
      userId: `tester-${Math.random()}`,
      email: 'qa@acme.test',
      attributes: { first_name: 'Quinn' },
    });
    await db.update(contacts).set({ isTest: true }).where(eq(contacts.id, tester.id));
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line(`Stats ${Math.random()}`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: 'email.send', config: { template: 'welcome' } },
      ]),
      registry,
    );
    for (const contactId of [contact.id, tester.id]) {
      const enrolled = await enrollContact(
        { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
        { workspaceId: workspace.id, journeyId: journey.id, contactId },
      );
      if (!enrolled.enrolled) throw new Error(enrolled.reason);
      await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    }
    const [sent] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.journeyId, journey.id), eq(messages.contactId, contact.id)));
    const href = /<a href="([^"]+)">Start<\/a>/.exec(sent.payload?.html as string)?.[1];
    expect((await app.inject({ method: 'GET', url: new URL(href!).pathname })).statusCode).toBe(302);

    const counts = await journeyCounts(db, workspace.id, journey.id);
    expect(counts.entered).toBe(1);
    expect(counts.nodes.send.messages).toEqual({
      sent: 1,
      delivered: 1,
      opened: 1,
      clicked: 1,
      unsubscribed: 0,
      bounced: 0,
      converted: 0,
      rates: { delivered: 1, opened: 1, clicked: 1, unsubscribed: 0, bounced: 0, converted: 0 },
    });
  });

  it('answers 400 for a tampered tracking link and 404 for a signed link to an unknown message, never redirecting', async () => {
    const { workspace, contact } = await setup();
    const { message } = await run(workspace.id, contact.id);
    const mail = sink.mails.at(-1)!;
    const href = /<a href="([^"]+)">Start<\/a>/.exec(mail.html as string)![1];
    const path = new URL(href).pathname;
    const [body, signature] = path.slice('/t/c/'.length).split('.');
    const forged = JSON.parse(Buffer.from(body, 'base64url').toString());
    forged.u = 'https://evil.test/';
    const tampered = await app.inject({
      method: 'GET',
      url: `/t/c/${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`,
    });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.headers.location).toBeUndefined();

    const { messageLinks } = await import('../../../../engine/messaging/links/links');
    const unknown = messageLinks(
      channels.box,
      PUBLIC_URL,
      workspace.id,
      '00000000-0000-4000-8000-000000000000',
    );
    const missing = await app.inject({
      method: 'GET',
      url: new URL(unknown.click('https://acme.test/')).pathname,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers.location).toBeUndefined();
    expect(message.status).toBe('sent');
  });

  it('does not send twice when the activity fails after the provider accepted the message', async () => {
    const { workspace, contact } = await setup();
    const before = sink.mails.length;
    crashes = 0;
    const { result, message } = await run(workspace.id, contact.id, 'test.crash-after-send', {
      template: 'welcome',
    });

    expect(result.status).toBe('completed');
    expect(crashes).toBe(2);
    expect(sink.mails.length - before).toBe(1);
    expect(message).toMatchObject({ status: 'sent', provider: 'smtp' });
  });

  it('fails the send with a readable reason when the template uses an unknown variable, sending nothing', async () => {
    const { workspace, contact } = await setup();
    await createTemplate(database.db, workspace.id, {
      name: 'broken',
      channel: 'email',
      subject: 'Hello {{ contact.nickname }}',
      body: 'text',
    });
    const before = sink.mails.length;
    const { workflowId, message } = await run(workspace.id, contact.id, 'email.send', { template: 'broken' });

    expect(message.status).toBe('failed');
    expect(message.reason).toMatch(
      /^template “broken” subject failed to render: undefined variable: contact\.nickname, line:1/,
    );
    expect(await pathOf(database.db, workflowId)).toEqual(['start:next', 'send:error']);
    expect(sink.mails.length).toBe(before);
  });
});
