import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../../../helpers/databases';
import {
  basic,
  contactByUserId,
  eventsOf,
  gzipJson,
  type IngestHarness,
  post,
  startIngestHarness,
} from './ingest-harness';

describe.each(databaseKinds())(
  'Segment-compatible tracking API (real API, %s, Temporal dev server)',
  (kind) => {
    let h: IngestHarness;
    let writeKey: string;
    let n = 0;
    const track = (extra: Record<string, unknown> = {}) => ({
      userId: 'u-1',
      event: 'Product Viewed',
      messageId: `m-${++n}-${randomBytes(4).toString('hex')}`,
      ...extra,
    });

    beforeAll(async () => {
      h = await startIngestHarness(kind);
      writeKey = h.workspace.writeKey;
    });
    afterAll(async () => h?.close());

    it('takes the write key as Basic username (with or without colon) or as writeKey in the body', async () => {
      const noColon = { authorization: `Basic ${Buffer.from(writeKey).toString('base64')}` };
      const answers = [
        await post(h.app, '/v1/track', writeKey, track()),
        await post(h.app, '/v1/track', undefined, track(), noColon),
        await post(h.app, '/v1/track', undefined, track({ writeKey })),
        await post(h.app, '/v1/track', writeKey, track({ writeKey })),
      ];
      for (const answer of answers) {
        expect([200, 202]).toContain(answer.statusCode);
        expect(answer.json()).toMatchObject({ success: true, accepted: 1 });
      }
    });

    it('refuses a missing, wrong or conflicting write key, and the secret key, with 401', async () => {
      const other = 'wl_wk_not-a-real-key';
      const answers = [
        await post(h.app, '/v1/track', undefined, track()),
        await post(h.app, '/v1/track', other, track()),
        await post(h.app, '/v1/track', writeKey, track({ writeKey: other })),
        await post(h.app, '/v1/track', h.workspace.secretKey, track()),
        await post(h.app, '/v1/batch', other, { batch: [track({ type: 'track' })] }),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(401);
        expect(answer.json().error.field).toBe('writeKey');
      }
      const bearer = await post(h.app, '/v1/track', undefined, track(), {
        authorization: `Bearer ${h.workspace.secretKey}`,
      });
      expect(bearer.statusCode).toBe(401);
    });

    it('parses gzip bodies and JSON sent with no or a wrong Content-Type', async () => {
      const gz = await h.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { ...basic(writeKey), 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: gzipJson(track({ messageId: 'gzipped' })),
      });
      const plain = await h.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: { ...basic(writeKey), 'content-type': 'text/plain' },
        payload: JSON.stringify(track({ messageId: 'text-plain' })),
      });
      const none = await h.app.inject({
        method: 'POST',
        url: '/v1/track',
        headers: basic(writeKey),
        payload: Buffer.from(JSON.stringify(track({ messageId: 'no-type' }))),
      });
      for (const answer of [gz, plain, none]) expect([200, 202]).toContain(answer.statusCode);
      const ids = (await eventsOf(h.database, h.workspace.id)).map((e) => e.messageId);
      expect(ids).toEqual(expect.arrayContaining(['gzipped', 'text-plain', 'no-type']));
    });

    it('answers 413 for a gzip bomb, a batch over 500 KB or 2,500 events, and an event over 32 KB', async () => {
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(100 * 1024);
      const bombAnswer = await post(h.app, '/v1/batch', writeKey, bomb, { 'content-encoding': 'gzip' });
      expect(bombAnswer.statusCode).toBe(413);
      expect(bombAnswer.json().error.field).toBe('body');

      const bigBatch = { batch: [track({ type: 'track', properties: { blob: 'x'.repeat(510 * 1024) } })] };
      expect((await post(h.app, '/v1/batch', writeKey, bigBatch)).statusCode).toBe(413);

      const many = {
        batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'e' })),
      };
      const manyAnswer = await post(h.app, '/v1/batch', writeKey, many);
      expect(manyAnswer.statusCode).toBe(413);
      expect(manyAnswer.json().error.field).toBe('batch');

      const bigEvent = await post(
        h.app,
        '/v1/track',
        writeKey,
        track({ properties: { blob: 'x'.repeat(33 * 1024) } }),
      );
      expect(bigEvent.statusCode).toBe(413);
    });

    it('stores the valid events of a batch and lists the rejected ones by index and field', async () => {
      const before = (await eventsOf(h.database, h.workspace.id)).length;
      const answer = await post(h.app, '/v1/batch', writeKey, {
        batch: [
          track({ type: 'track' }),
          { type: 'track', event: 'No identity' },
          track({ type: 'track', timestamp: 'yesterday' }),
          track({ type: 'launch' }),
          track({ type: 'track', properties: { blob: 'x'.repeat(33 * 1024) } }),
          track({ type: 'track', userId: 'bad\u0000id' }),
          { type: 'identify', userId: 'u-batch', traits: { plan: 'pro' } },
          { type: 'alias', userId: 'u-batch', previousId: 'anon-batch' },
        ],
      });
      expect([200, 202]).toContain(answer.statusCode);
      const body = answer.json();
      expect(body.accepted).toBe(3);
      expect(body.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
        [1, 'userId'],
        [2, 'timestamp'],
        [3, 'type'],
        [4, ''],
        [5, 'userId'],
      ]);
      expect(body.rejected[3].code).toBe('event_too_large');
      expect((await eventsOf(h.database, h.workspace.id)).length).toBe(before + 3);
    });

    it('answers 400 naming the field for a malformed single event or body', async () => {
      const cases: [unknown, string][] = [
        [{ userId: 'u-1' }, 'body.event'],
        [track({ event: 42 }), 'body.event'],
        [{ event: 'Signed Up' }, 'body.userId'],
        [track({ properties: 'not an object' }), 'body.properties'],
        [track({ timestamp: 'not a date' }), 'body.timestamp'],
        [track({ userId: '' }), 'body.userId'],
      ];
      for (const [body, field] of cases) {
        const answer = await post(h.app, '/v1/track', writeKey, body);
        expect(answer.statusCode, JSON.stringify(body)).toBe(400);
        expect(answer.json().error.field).toBe(field);
      }
      const notJson = await post(h.app, '/v1/track', writeKey, '{"event": ');
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json().error.field).toBe('body');
      const batchNotArray = await post(h.app, '/v1/batch', writeKey, { batch: 'nope' });
      expect(batchNotArray.statusCode).toBe(400);
      expect(batchNotArray.json().error.field).toBe('body.batch');
    });

    it('coerces numeric ids, ignores unknown fields and corrects the client clock', async () => {
      const answer = await post(h.app, '/v1/batch', writeKey, {
        sentAt: '2020-01-01T00:00:10.000Z',
        _metadata: { bundled: ['Segment.io'] },
        batch: [
          {
            type: 'track',
            userId: 1234,
            messageId: 987654,
            event: 'Clocked',
            channel: 'server',
            timestamp: '2020-01-01T00:00:00.000Z',
          },
        ],
      });
      expect([200, 202]).toContain(answer.statusCode);
      const [event] = (await eventsOf(h.database, h.workspace.id)).filter((e) => e.messageId === '987654');
      expect(event.name).toBe('Clocked');
      // The client's clock ran 10 s between the event and sending it: the event is 10 s before arrival.
      expect(event.receivedAt.getTime() - event.timestamp.getTime()).toBe(10_000);
      expect((await contactByUserId(h.database, h.workspace.id, '1234'))?.id).toBe(event.contactId);
    });

    it('cleans NUL and unpaired surrogates from properties and says which fields', async () => {
      const answer = await post(
        h.app,
        '/v1/track',
        writeKey,
        track({ messageId: 'dirty', properties: { note: 'a\u0000b', half: 'x\ud800y', 'k\u0000ey': 1 } }),
      );
      expect([200, 202]).toContain(answer.statusCode);
      expect(answer.json().cleaned[0].fields.sort()).toEqual([
        'properties.half',
        'properties.key',
        'properties.note',
      ]);
      const [event] = (await eventsOf(h.database, h.workspace.id)).filter((e) => e.messageId === 'dirty');
      expect(event.properties).toEqual({ note: 'ab', half: 'x\uFFFDy', key: 1 });
    });

    it('stores a repeated messageId once: the repeat answers 200 and changes nothing', async () => {
      const first = await post(h.app, '/v1/identify', writeKey, {
        userId: 'repeat',
        messageId: 'same',
        traits: { plan: 'free' },
      });
      const again = await post(h.app, '/v1/identify', writeKey, {
        userId: 'repeat',
        messageId: 'same',
        traits: { plan: 'enterprise' },
      });
      expect([200, 202]).toContain(first.statusCode);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
      const contact = await contactByUserId(h.database, h.workspace.id, 'repeat');
      expect(contact?.attributes).toEqual({ plan: 'free' });
      expect((await eventsOf(h.database, h.workspace.id)).filter((e) => e.messageId === 'same')).toHaveLength(
        1,
      );
    });

    it("reads an identify's traits from context.traits when it has none of its own (RudderStack's libraries)", async () => {
      const rudder = await post(h.app, '/v1/identify', writeKey, {
        userId: 'rs-user',
        context: { traits: { email: 'RS@Example.com', plan: 'growth' } },
      });
      expect([200, 202]).toContain(rudder.statusCode);
      expect(await contactByUserId(h.database, h.workspace.id, 'rs-user')).toMatchObject({
        email: 'rs@example.com',
        attributes: { plan: 'growth' },
      });
      // Traits of its own win; context.traits is then only context.
      await post(h.app, '/v1/identify', writeKey, {
        userId: 'rs-user',
        traits: { plan: 'scale' },
        context: { traits: { plan: 'ignored', email: 'other@example.com' } },
      });
      expect(await contactByUserId(h.database, h.workspace.id, 'rs-user')).toMatchObject({
        email: 'rs@example.com',
        attributes: { plan: 'scale' },
      });
      const bad = await post(h.app, '/v1/identify', writeKey, {
        userId: 'rs-user',
        context: { traits: { email: 'not an address' } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('context.traits.email');
      const inBatch = await post(h.app, '/v1/batch', writeKey, {
        batch: [{ type: 'identify', userId: 'rs-user', context: { traits: { phone: 'nope' } } }],
      });
      expect(inBatch.json().rejected).toEqual([
        expect.objectContaining({ index: 0, field: 'context.traits.phone' }),
      ]);
    });

    it("takes each message at the paths of Segment's libraries: one letter, /v1/b and /v1/import", async () => {
      const answers = [
        await post(h.app, '/v1/t', undefined, track({ writeKey, userId: 'short', event: 'Short Path' })),
        await post(h.app, '/v1/i', undefined, { writeKey, userId: 'short', traits: { plan: 'team' } }),
        await post(h.app, '/v1/s', writeKey, { userId: 'short', name: 'Home' }),
        await post(h.app, '/v1/b', undefined, {
          writeKey,
          batch: [track({ type: 'track', userId: 'short', event: 'From B' })],
        }),
        await post(h.app, '/v1/import', writeKey, {
          batch: [track({ type: 'track', userId: 'short', event: 'From Import' })],
        }),
      ];
      expect(answers.map((a) => [a.statusCode === 202 ? 200 : a.statusCode, a.json().accepted])).toEqual(
        Array(5).fill([200, 1]),
      );
      const contact = await contactByUserId(h.database, h.workspace.id, 'short');
      expect(contact?.attributes).toEqual({ plan: 'team' });
      const names = (await eventsOf(h.database, h.workspace.id))
        .filter((e) => e.contactId === contact?.id)
        .map((e) => `${e.type} ${e.name}`);
      expect(names.sort()).toEqual(
        ['identify null', 'screen Home', 'track From B', 'track From Import', 'track Short Path'].sort(),
      );
      const wrong = await post(h.app, '/v1/t', 'wl_wk_not-a-real-key', track());
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.field).toBe('writeKey');
    });

    it("answers Segment's and RudderStack's libraries their settings: this API as the destination", async () => {
      const direct = await h.app.inject({
        method: 'GET',
        url: `/v1/projects/${writeKey}/settings`,
        headers: { host: 'api.local:4100', origin: 'https://shop.example' },
      });
      expect(direct.statusCode).toBe(200);
      expect(direct.headers['access-control-allow-origin']).toBe('*');
      expect(direct.headers['cache-control']).toBe('no-store');
      expect(direct.json()).toMatchObject({
        integrations: { 'Segment.io': { apiKey: writeKey, apiHost: 'api.local:4100/v1', protocol: 'http' } },
        metrics: { sampleRate: 0 },
      });
      const proxied = await h.app.inject({
        method: 'GET',
        url: `/v1/projects/${writeKey}/settings`,
        headers: { 'x-forwarded-host': 'track.shop.example, proxy.internal', 'x-forwarded-proto': 'https' },
      });
      expect(proxied.json().integrations['Segment.io']).toMatchObject({
        apiHost: 'track.shop.example/v1',
        protocol: 'https',
      });
      const unknown = await h.app.inject({
        method: 'GET',
        url: '/v1/projects/wl_wk_not-a-real-key/settings',
      });
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json().error.field).toBe('writeKey');
      // RudderStack's library: the key as the Basic username, or in the query string.
      const rudder = await h.app.inject({
        method: 'GET',
        url: '/sourceConfig/?p=npm&v=3.34.1&build=modern',
        headers: { ...basic(writeKey), origin: 'https://shop.example' },
      });
      expect(rudder.statusCode).toBe(200);
      expect(rudder.headers['access-control-allow-origin']).toBe('*');
      expect(rudder.json()).toMatchObject({
        source: { id: h.workspace.id, writeKey, enabled: true, destinations: [] },
      });
      const byQuery = await h.app.inject({ method: 'GET', url: `/sourceConfig?writeKey=${writeKey}` });
      expect(byQuery.json().source.workspaceId).toBe(h.workspace.id);
      const wrong = await h.app.inject({
        method: 'GET',
        url: '/sourceConfig/?writeKey=wl_wk_not-a-real-key',
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.field).toBe('writeKey');
    });
  },
);
