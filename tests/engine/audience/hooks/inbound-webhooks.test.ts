import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../../../db/schema';
import { bearer } from '../../../helpers/app';
import { databaseKinds } from '../../../helpers/databases';
import { contactByUserId, type IngestHarness, startIngestHarness } from '../ingest/ingest-harness';

// Hook secrets are sealed with the configured key; tests bring their own.
process.env.WAYLINE_SECRET_KEY ??= randomBytes(32).toString('hex');

interface Delivery {
  id?: string;
  timestamp?: Date;
  body?: string;
  /** Signs with these secrets (each adds a signature); the hook's own by default. */
  secrets?: string[];
  /** Sends this body instead of the signed one. */
  sentBody?: string;
}

describe.each(databaseKinds())('inbound webhooks, Standard Webhooks signatures (real API, %s)', (kind) => {
  let h: IngestHarness;
  let hookId: string;
  let secret: string;

  const order = (userId: string) =>
    JSON.stringify({
      type: 'order.completed',
      customer: { id: userId, email: `${userId}@example.com` },
      data: { total: 99 },
    });

  const deliver = (options: Delivery = {}) => {
    const id = options.id ?? `msg_${randomUUID()}`;
    const timestamp = options.timestamp ?? new Date();
    const body = options.body ?? order('hook-user');
    const signatures = (options.secrets ?? [secret]).map((s) => new Webhook(s).sign(id, timestamp, body));
    return h.app.inject({
      method: 'POST',
      url: `/v1/hooks/${hookId}`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signatures.join(' '),
      },
      payload: options.sentBody ?? body,
    });
  };
  const hookEvents = () =>
    h.database.db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, h.workspace.id), like(events.messageId, `hook:${hookId}:%`)));

  beforeAll(async () => {
    h = await startIngestHarness(kind);
    const created = await h.app.inject({
      method: 'POST',
      url: '/v1/hooks',
      headers: bearer(h.workspace.secretKey),
      payload: {
        name: 'Shop orders',
        mapping: {
          eventPath: 'type',
          userIdPath: 'customer.id',
          emailPath: '$.customer.email',
          propertiesPath: 'data',
        },
      },
    });
    expect(created.statusCode).toBe(201);
    ({ id: hookId, secret } = created.json());
    expect(secret).toMatch(/^whsec_/);
  });
  afterAll(async () => h?.close());

  it('accepts a validly signed delivery and stores the mapped event on the mapped contact', async () => {
    const answer = await deliver({ body: order('buyer-1') });
    expect([200, 202]).toContain(answer.statusCode);
    const contact = await contactByUserId(h.database, h.workspace.id, 'buyer-1');
    const [event] = (await hookEvents()).filter((e) => e.contactId === contact.id);
    expect(event).toMatchObject({ type: 'track', name: 'order.completed', properties: { total: 99 } });
  });

  it('refuses a tampered body, a wrong secret and an old timestamp with 401, storing nothing', async () => {
    const before = (await hookEvents()).length;
    const wrongSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const tampered = await deliver({ body: order('buyer-2'), sentBody: order('attacker') });
    const wrong = await deliver({ secrets: [wrongSecret] });
    const old = await deliver({ timestamp: new Date(Date.now() - 6 * 60 * 1000) });
    const unsigned = await h.app.inject({ method: 'POST', url: `/v1/hooks/${hookId}`, payload: order('x') });
    expect([tampered, wrong, old, unsigned].map((a) => a.statusCode)).toEqual([401, 401, 401, 401]);
    expect(tampered.json().error.code).toBe('webhook_no_matching_signature');
    expect(wrong.json().error.code).toBe('webhook_no_matching_signature');
    expect(old.json().error).toMatchObject({
      code: 'webhook_timestamp_out_of_tolerance',
      field: 'webhook-timestamp',
    });
    expect(unsigned.json().error.code).toBe('webhook_missing_headers');
    expect((await hookEvents()).length).toBe(before);
  });

  it('answers a replayed webhook-id with 200 and changes nothing', async () => {
    const id = `msg_${randomUUID()}`;
    const first = await deliver({ id, body: order('buyer-3') });
    const before = (await hookEvents()).length;
    const replay = await deliver({ id, body: order('buyer-3') });
    const replayOtherBody = await deliver({ id, body: order('buyer-4') });
    expect([200, 202]).toContain(first.statusCode);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ success: true, duplicate: true });
    expect(replayOtherBody.statusCode).toBe(200);
    expect((await hookEvents()).length).toBe(before);
    expect(await contactByUserId(h.database, h.workspace.id, 'buyer-4')).toBeUndefined();
  });

  it('keeps the old secret valid through the grace period after a rotation, and accepts either signature', async () => {
    const rotated = await h.app.inject({
      method: 'POST',
      url: `/v1/hooks/${hookId}/rotate-secret`,
      headers: bearer(h.workspace.secretKey),
      payload: { graceSeconds: 3600 },
    });
    expect(rotated.statusCode).toBe(200);
    const { secret: next, secrets } = rotated.json();
    expect(next).not.toBe(secret);
    expect(secrets).toHaveLength(2);
    const unrelated = `whsec_${randomBytes(32).toString('base64')}`;
    for (const signing of [[secret], [next], [unrelated, next]]) {
      expect([200, 202]).toContain((await deliver({ secrets: signing })).statusCode);
    }
    // Without grace the old secret stops at once.
    const again = await h.app.inject({
      method: 'POST',
      url: `/v1/hooks/${hookId}/rotate-secret`,
      headers: bearer(h.workspace.secretKey),
      payload: { graceSeconds: 0 },
    });
    const newest = again.json().secret;
    expect((await deliver({ secrets: [next] })).statusCode).toBe(401);
    expect([200, 202]).toContain((await deliver({ secrets: [newest] })).statusCode);
    secret = newest;
  });

  it('answers 400 naming the mapping when the payload lacks what it maps, and 404 for an unknown hook', async () => {
    const noUser = await deliver({ body: JSON.stringify({ type: 'order.completed', data: {} }) });
    expect(noUser.statusCode).toBe(400);
    expect(noUser.json().error.field).toBe('mapping.userIdPath');
    const notJson = await deliver({ body: 'not json' });
    expect(notJson.statusCode).toBe(400);
    const unknown = await h.app.inject({ method: 'POST', url: `/v1/hooks/${randomUUID()}`, payload: '{}' });
    expect(unknown.statusCode).toBe(404);
  });

  it('manages hooks with the secret key only: list, get, update, delete', async () => {
    const auth = bearer(h.workspace.secretKey);
    const list = await h.app.inject({ method: 'GET', url: '/v1/hooks', headers: auth });
    expect(list.json().data.map((hook: { id: string }) => hook.id)).toContain(hookId);
    expect(JSON.stringify(list.json())).not.toContain('whsec_');
    const invalid = await h.app.inject({
      method: 'POST',
      url: '/v1/hooks',
      headers: auth,
      payload: { name: 'No identity', mapping: { eventName: 'Form Sent' } },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.field).toBe('body.mapping.userIdPath');
    const writeKeyOnly = await h.app.inject({
      method: 'GET',
      url: '/v1/hooks',
      headers: { authorization: `Bearer ${h.workspace.writeKey}` },
    });
    expect(writeKeyOnly.statusCode).toBe(401);

    const form = await h.app.inject({
      method: 'POST',
      url: '/v1/hooks',
      headers: auth,
      payload: { name: 'Form', mapping: { eventName: 'Form Sent', emailPath: 'email' } },
    });
    const formId = form.json().id;
    const renamed = await h.app.inject({
      method: 'PUT',
      url: `/v1/hooks/${formId}`,
      headers: auth,
      payload: { name: 'Contact form', mapping: { eventName: 'Form Sent', emailPath: 'from' } },
    });
    expect(renamed.json()).toMatchObject({ name: 'Contact form', mapping: { emailPath: 'from' } });
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/v1/hooks/${formId}`, headers: auth })).statusCode,
    ).toBe(204);
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/hooks/${formId}`, headers: auth })).statusCode,
    ).toBe(404);
  });
});
