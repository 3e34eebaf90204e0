import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { events, messages, suppressions } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { createTemplate } from '../../../../engine/messaging/templates/templates';
import { type ChannelStack, channelStack, emailThroughSmtp } from '../../../helpers/channel-stack';
import { line, pathOf, publishGraph, runToEnd } from '../../../helpers/fixtures';

const PUBLIC_URL = 'http://wayline.test';

describe('email bounce and complaint intake (real Temporal test server, PGlite, smtp-server sink)', () => {
  const stack = channelStack('time-skipping', { publicUrl: PUBLIC_URL, smtpSink: true });
  // The tests below use the stack's parts by name.
  let { database, temporal, sink, channels, registry, app } = {} as ChannelStack;
  beforeAll(() => {
    ({ database, temporal, sink, channels, registry, app } = stack);
  });

  async function setup(email: string) {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Bounces');
    const contact = await createContact(db, workspace.id, { userId: email, email });
    await emailThroughSmtp(db, channels, workspace.id, sink.port, 'Acme <hello@acme.test>');
    await createTemplate(db, workspace.id, {
      name: 'receipt',
      channel: 'email',
      subject: 'Your receipt',
      body: 'Thanks for your order.',
    });
    const intake = await app.inject({
      method: 'GET',
      url: '/v1/channels/email/bounce-url',
      headers: { authorization: `Bearer ${workspace.secretKey}` },
    });
    expect(intake.statusCode).toBe(200);
    const url: string = intake.json().url;
    expect(url).toMatch(/^http:\/\/wayline\.test\/t\/bounce\//);
    return { workspace, contact, intakePath: new URL(url).pathname };
  }

  async function send(workspaceId: string, contactId: string, transactional: boolean) {
    const { journey } = await publishGraph(
      database.db,
      workspaceId,
      line(`Receipt ${Math.random()}`, [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'send', type: 'email.send', config: { template: 'receipt', transactional } },
      ]),
      registry,
    );
    const { workflowId } = await runToEnd(database.db, temporal, {
      workspaceId,
      journeyId: journey.id,
      contactId,
    });
    const [message] = await database.db.select().from(messages).where(eq(messages.workflowId, workflowId));
    return { workflowId, message };
  }

  const report = (path: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json' },
      payload: body as never,
    });

  it('suppresses a hard-bounced address, marks the message bounced, records “Email Bounced”, and blocks even a transactional send', async () => {
    const { workspace, contact, intakePath } = await setup('gone@example.com');
    const before = sink.mails.length;
    const first = await send(workspace.id, contact.id, true);
    expect(first.message.status).toBe('sent');
    const mail = sink.mails.at(-1)!;
    expect(sink.mails.length).toBe(before + 1);

    // The provider reports the bounce with the Message-ID header of the email it received.
    const answer = await report(intakePath, {
      type: 'bounce',
      bounceType: 'hard',
      recipient: 'Gone@Example.com',
      messageId: mail.messageId,
      id: 'notification-1',
      diagnostic: '550 5.1.1 user unknown',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ suppressed: 'hard-bounce', messageId: first.message.id, contacts: 1 });
    // The provider retries its notification: nothing doubles.
    await report(intakePath, {
      type: 'bounce',
      recipient: 'gone@example.com',
      messageId: mail.messageId,
      id: 'notification-1',
    });

    const [bounced] = await database.db.select().from(messages).where(eq(messages.id, first.message.id));
    expect(bounced).toMatchObject({ status: 'bounced', reason: 'hard bounce: 550 5.1.1 user unknown' });
    const listed = await database.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.workspaceId, workspace.id));
    expect(listed).toEqual([
      expect.objectContaining({ channel: 'email', address: 'gone@example.com', reason: 'hard-bounce' }),
    ]);
    const bounces = await database.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Email Bounced')));
    expect(bounces).toHaveLength(1);
    expect(bounces[0].properties).toMatchObject({
      address: 'gone@example.com',
      bounceType: 'hard',
      messageId: first.message.id,
    });

    const second = await send(workspace.id, contact.id, true);
    expect(second.message).toMatchObject({ status: 'suppressed', reason: 'suppressed:hard-bounce' });
    expect(await pathOf(database.db, second.workflowId)).toEqual(['start:next', 'send:skipped']);
    expect(sink.mails.length).toBe(before + 1);
  });

  it('suppresses on a complaint, records it, and leaves a soft bounce off the list', async () => {
    const { workspace, contact, intakePath } = await setup('angry@example.com');
    const soft = await report(intakePath, {
      type: 'bounce',
      bounceType: 'soft',
      recipient: 'angry@example.com',
    });
    expect(soft.json()).toEqual({ suppressed: null, messageId: null, contacts: 1 });
    expect((await send(workspace.id, contact.id, false)).message.status).toBe('sent');

    const complaint = await report(intakePath, { type: 'complaint', recipient: 'angry@example.com' });
    expect(complaint.json()).toMatchObject({ suppressed: 'complaint', contacts: 1 });
    const spam = await database.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Email Marked as Spam')));
    expect(spam).toHaveLength(1);
    const next = await send(workspace.id, contact.id, false);
    expect(next.message).toMatchObject({ status: 'suppressed', reason: 'suppressed:complaint' });
  });

  it('refuses a tampered intake URL, a message link used as one, and a malformed report, changing nothing', async () => {
    const { workspace, intakePath } = await setup('safe@example.com');
    const tampered = await report(`${intakePath.slice(0, -4)}AAAA`, {
      type: 'complaint',
      recipient: 'safe@example.com',
    });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json().error.code).toBe('tracking_token_invalid');

    const { createToken } = await import('../../../../engine/messaging/links/tokens');
    const openToken = createToken(channels.box, { k: 'o', w: workspace.id, m: 'email' });
    const wrongKind = await report(`/t/bounce/${openToken}`, {
      type: 'complaint',
      recipient: 'safe@example.com',
    });
    expect(wrongKind.statusCode).toBe(400);

    const malformed = await report(intakePath, { type: 'complaint', recipient: 'not-an-address' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.field).toBe('body.recipient');

    const listed = await database.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.workspaceId, workspace.id));
    expect(listed).toHaveLength(0);
  });
});
