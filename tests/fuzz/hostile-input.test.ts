import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { events, templates } from '../../db/schema';
import { createWorkspace, type NewWorkspace } from '../../engine/identity/workspaces';
import { bearer, testApp } from '../helpers/app';
import { openTestDb } from '../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../helpers/temporal';

/**
 * Hostile requests of the kinds the OpenAPI fuzzer does not generate (raw bytes, headers,
 * compression): each answered 4xx with a JSON error, never a 5xx, nothing stored.
 */
describe('hostile input: invalid UTF-8 and percent-encoding, huge bodies, unknown content types, gzip bombs, Liquid injection', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    app = await testApp(database, temporal);
    workspace = await createWorkspace(database.db, 'Hostile');
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  const management = bearer('');
  const writeKey = () => ({
    authorization: `Basic ${Buffer.from(`${workspace.writeKey}:`).toString('base64')}`,
  });
  const expect4xxJson = (response: { statusCode: number; body: string }) => {
    expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, response.body).toBeLessThan(500);
    expect(() => JSON.parse(response.body)).not.toThrow();
    return JSON.parse(response.body) as { error: { code: string; message: string; field?: string } };
  };

  it('invalid percent-encoding and invalid UTF-8 in query strings: never a 5xx', async () => {
    Object.assign(management, bearer(workspace.secretKey));
    for (const url of [
      '/v1/contacts?q=%E0%A4%A', // cut-off escape
      '/v1/contacts?q=%ff%fe', // bytes that are not UTF-8
      '/v1/messages?status=%C0%80', // overlong encoding of NUL
      '/v1/contacts?q=%ED%A0%80', // an encoded surrogate
    ]) {
      const response = await app.inject({ method: 'GET', url, headers: management });
      // The query parser keeps an undecodable escape as text (a search for it finds nothing);
      // an enum parameter refuses it with 400. Never a 5xx, always JSON.
      expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(500);
      expect(() => JSON.parse(response.body), url).not.toThrow();
    }
    const status = await app.inject({
      method: 'GET',
      url: '/v1/messages?status=%C0%80',
      headers: management,
    });
    expect(JSON.stringify(expect4xxJson(status).error)).toMatch(/status/);
  });

  it('invalid UTF-8 bytes in a JSON body', async () => {
    const body = Buffer.concat([
      Buffer.from('{"name":"t'),
      Buffer.from([0xff, 0xfe, 0xc0]),
      Buffer.from('","channel":"email","subject":"s","body":"b"}'),
    ]);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/templates',
      headers: { ...management, 'content-type': 'application/json' },
      payload: body,
    });
    // Either refused, or stored with the bytes replaced (U+FFFD is storable); never a 5xx.
    expect(response.statusCode, response.body).toBeLessThan(500);
    if (response.statusCode >= 400) expect4xxJson(response);
  });

  it('a JSON body over the limit: 413', async () => {
    const huge = JSON.stringify({
      name: 'x'.repeat(2 * 1024 * 1024),
      channel: 'email',
      subject: 's',
      body: 'b',
    });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/templates',
      headers: { ...management, 'content-type': 'application/json' },
      payload: huge,
    });
    expect(response.statusCode).toBe(413);
    expect4xxJson(response);
  });

  it('unknown content types: 415', async () => {
    for (const contentType of ['application/xml', 'text/csv; charset=utf-8', 'application/x-unknown']) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/templates',
        headers: { ...management, 'content-type': contentType },
        payload: '<template/>',
      });
      expect(response.statusCode, contentType).toBe(415);
      expect4xxJson(response);
    }
  });

  it('a gzip bomb to the tracking API: 413 without inflating it, nothing stored', async () => {
    // 64 MB of zeros compress to about 64 KB; the limit applies to the decompressed bytes.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(256 * 1024);
    const response = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...writeKey(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: bomb,
    });
    expect(response.statusCode).toBe(413);
    expect4xxJson(response);
    const garbage = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { ...writeKey(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: Buffer.from('not gzip at all'),
    });
    expect4xxJson(garbage);
    const unknownEncoding = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { ...writeKey(), 'content-type': 'application/json', 'content-encoding': 'br' },
      payload: Buffer.from('{}'),
    });
    expect4xxJson(unknownEncoding);
    expect(await database.db.select().from(events)).toHaveLength(0);
  });

  it('Liquid injection in templates: refused with 400 naming the field, or rendered as inert text', async () => {
    const attempts = [
      "{% include '/etc/passwd' %}",
      "{% render '../../package.json' %}",
      '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}',
      '{{ contact.email',
      '{% assign x = "a" %}{% for i in (1..30) %}{% assign x = x | append: x %}{% endfor %}{{ x }}',
    ];
    for (const body of attempts) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/templates',
        headers: { ...management, 'content-type': 'application/json' },
        payload: JSON.stringify({
          name: `t-${attempts.indexOf(body)}`,
          channel: 'email',
          subject: 'Hi',
          body,
        }),
      });
      expect(response.statusCode, `${body}: ${response.body}`).toBeLessThan(500);
      if (response.statusCode >= 400) {
        expect(expect4xxJson(response).error.field, body).toMatch(/body/);
        continue;
      }
      const id = response.json().id as string;
      const preview = await app.inject({
        method: 'POST',
        url: `/v1/templates/${id}/preview`,
        headers: { ...management, 'content-type': 'application/json' },
        payload: JSON.stringify({}),
      });
      expect(preview.statusCode, `${body}: ${preview.body}`).toBeLessThan(500);
      expect(preview.body).not.toContain('root:');
      expect(preview.body).not.toContain('"dependencies"');
    }
    expect((await database.db.select().from(templates)).length).toBeLessThanOrEqual(attempts.length);
  }, 60_000);
});
