import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, messages, suppressions } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { enrollContact } from '../../../../engine/automation/runs/enroll';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { json, postTwilioStatus, startHttpPeer } from '../../../connectors/peers';
import { type ChannelStack, channelStack } from '../../../helpers/channel-stack';
import { line, publishGraph } from '../../../helpers/fixtures';

describe('SMS journeys and Twilio status callbacks (real Temporal test server, PGlite, Twilio-shaped node:http peer)', () => {
  // A real listening API: the Twilio-shaped peer posts its signed callbacks over HTTP.
  const stack = channelStack('time-skipping', { publicUrl: 'http://wayline.test', listen: true });
  // The tests below use the stack's parts by name.
  let { database, temporal, channels, registry, apiUrl } = {} as ChannelStack;
  let twilio: Awaited<ReturnType<typeof startHttpPeer>>;
  let sids = 0;

  beforeAll(async () => {
    ({ database, temporal, channels, registry, apiUrl } = stack);
    twilio = await startHttpPeer((request, response) => {
      const form = new URLSearchParams(request.body);
      sids += 1;
      json(response, 201, { sid: `SM${sids}`, status: 'queued', to: form.get('To') });
    });
  });
  afterAll(async () => {
    await twilio?.close();
  });

  async function sendSms(phone: string) {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Texts');
    const contact = await createContact(db, workspace.id, {
      userId: 'u',
      phone,
      attributes: { first_name: 'Ada' },
    });
    await saveChannelSettings(db, channels.box, workspace.id, 'sms', {
      provider: 'twilio',
      config: { accountSid: 'AC9', authToken: 'tok', from: '+15551112222', baseUrl: twilio.url },
    });
    const { journey } = await publishGraph(
      db,
      workspace.id,
      line('Text', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'sms', type: 'sms.send', config: { text: 'Hi {{ contact.first_name }}, your code is ready' } },
      ]),
      registry,
    );
    const enrolled = await enrollContact(
      { db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { workspaceId: workspace.id, journeyId: journey.id, contactId: contact.id },
    );
    if (!enrolled.enrolled) throw new Error(enrolled.reason);
    await temporal.client.workflow.getHandle(enrolled.workflowId).result();
    const [message] = await db.select().from(messages).where(eq(messages.workflowId, enrolled.workflowId));
    const request = twilio.requests.at(-1)!;
    return { workspace, contact, message, form: new URLSearchParams(request.body), request };
  }

  /** What Twilio posts on a status change (more fields than Wayline reads: all are signed). */
  const report = (message: { providerId: string | null }, fields: Record<string, string>) => ({
    AccountSid: 'AC9',
    ApiVersion: '2010-04-01',
    From: '+15551112222',
    MessageSid: message.providerId!,
    SmsSid: message.providerId!,
    SmsStatus: fields.MessageStatus,
    To: '+15550101',
    ...fields,
  });

  /** The peer's callback, signed with the account's auth token as Twilio does. */
  const callback = (url: string, fields: Record<string, string>, signature?: string | null, token = 'tok') =>
    postTwilioStatus(url, apiUrl, token, fields, signature);

  async function statusOf(id: string) {
    const [row] = await database.db.select().from(messages).where(eq(messages.id, id));
    return row.status;
  }

  it('sends the rendered SMS with Basic auth and marks it delivered on the status callback', async () => {
    const { message, form, request } = await sendSms('+15550101');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('AC9:tok').toString('base64')}`);
    expect(form.get('Body')).toBe('Hi Ada, your code is ready');
    expect(message).toMatchObject({
      status: 'sent',
      provider: 'twilio',
      providerId: `SM${sids}`,
      recipient: '+15550101',
    });

    const delivered = await callback(
      form.get('StatusCallback')!,
      report(message, { MessageStatus: 'delivered' }),
    );
    expect(delivered.status).toBe(204);
    expect(await statusOf(message.id)).toBe('delivered');

    // A late "sent" report never moves a delivered message back.
    await callback(form.get('StatusCallback')!, report(message, { MessageStatus: 'sent' }));
    const [still] = await database.db.select().from(messages).where(eq(messages.id, message.id));
    expect(still.status).toBe('delivered');
  });

  it('records an undeliverable number as a bounce event and suppresses it', async () => {
    const { workspace, contact, message, form } = await sendSms('+15550199');
    const answer = await callback(
      form.get('StatusCallback')!,
      report(message, { MessageStatus: 'undelivered', ErrorCode: '30005' }),
    );
    expect(answer.status).toBe(204);
    const [row] = await database.db.select().from(messages).where(eq(messages.id, message.id));
    expect(row).toMatchObject({ status: 'bounced', reason: 'provider error 30005' });
    const bounces = await database.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Message Bounced')));
    expect(bounces).toHaveLength(1);
    const [suppressed] = await database.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.workspaceId, workspace.id));
    expect(suppressed).toMatchObject({ channel: 'sms', address: '+15550199', reason: 'hard-bounce' });
  });

  it('refuses a forged status callback token', async () => {
    const { form } = await sendSms('+15550102');
    const url = form.get('StatusCallback')!;
    const answer = await callback(`${url.slice(0, -4)}AAAA`, { MessageStatus: 'delivered' });
    expect(answer.status).toBe(400);
  });

  it('refuses a callback without a valid X-Twilio-Signature with 403 and changes nothing', async () => {
    const { message, form, contact } = await sendSms('+15550103');
    const url = form.get('StatusCallback')!;
    const fields = report(message, { MessageStatus: 'undelivered', ErrorCode: '30005' });

    const missing = await callback(url, fields, null);
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body).error).toMatchObject({
      code: 'provider_signature_invalid',
      field: 'X-Twilio-Signature',
    });
    // Signed with another account's token.
    expect((await callback(url, fields, undefined, 'not-the-token')).status).toBe(403);
    // A correct signature over different fields: the body was altered on the way.
    const { twilioSign } = await import('../../../connectors/peers');
    const signedDelivered = twilioSign('tok', url, report(message, { MessageStatus: 'delivered' }));
    expect((await callback(url, fields, signedDelivered)).status).toBe(403);
    // Signed over another URL (another message's callback).
    const otherUrl = url.replace('/t/status/', '/t/status/x');
    expect((await callback(url, fields, twilioSign('tok', otherUrl, fields))).status).toBe(403);

    expect(await statusOf(message.id)).toBe('sent');
    const bounces = await database.db
      .select()
      .from(events)
      .where(and(eq(events.contactId, contact.id), eq(events.name, 'Message Bounced')));
    expect(bounces).toHaveLength(0);
    const suppressed = await database.db
      .select()
      .from(suppressions)
      .where(eq(suppressions.address, '+15550103'));
    expect(suppressed).toHaveLength(0);

    // The same report, signed as Twilio signs it, is accepted.
    expect((await callback(url, fields)).status).toBe(204);
    expect(await statusOf(message.id)).toBe('bounced');
  });
});
