import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { events, templates } from '../../db/schema';
import { createWorkspace, type NewWorkspace } from '../../engine/identity/workspaces';
import { identityApp } from '../engine/identity/identity-app';
import { bearer } from '../helpers/app';
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
    // With channel deps, so the channel and tracking routes are mounted too.
    app = await identityApp(database, temporal);
    workspace = await createWorkspace(database.db, 'Hostile');
    Object.assign(management, bearer(workspace.secretKey));
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

  it('invalid percent-encoding, invalid UTF-8 and NUL in query strings: 400 naming the parameter', async () => {
    for (const [url, field] of [
      ['/v1/contacts?q=%E0%A4%A', 'querystring.q'], // cut-off escape
      ['/v1/contacts?q=%ZZ', 'querystring.q'], // not hex
      ['/v1/contacts?q=%C3%28', 'querystring.q'], // a lead byte without its continuation
      ['/v1/contacts?q=%ff%fe', 'querystring.q'], // bytes that are never UTF-8
      ['/v1/contacts?q=%ED%A0%80', 'querystring.q'], // an encoded surrogate
      ['/v1/messages?status=%C0%80', 'querystring.status'], // overlong encoding of NUL
      ['/v1/messages?status=sent%00', 'querystring.status'], // NUL
      ['/v1/contacts?limit=5&q=a&q=%00', 'querystring.q'], // NUL in a repeated parameter
      ['/v1/contacts?%ZZ=1', 'querystring.%ZZ'], // an undecodable name
      ['/health?x=%E0%A4%A', 'querystring.x'], // outside /v1 too
    ]) {
      const response = await app.inject({ method: 'GET', url, headers: management });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(400);
      expect(expect4xxJson(response).error.field, url).toBe(field);
    }
    // Valid encodings still decode as before: `+` is a space, UTF-8 escapes are characters.
    const valid = await app.inject({
      method: 'GET',
      url: '/v1/contacts?q=J%C3%BCrgen+M%C3%BCller',
      headers: management,
    });
    expect(valid.statusCode, valid.body).toBe(200);
  });

  it('every string parameter of every GET route in the OpenAPI description: broken percent-encoding and NUL answer 400 naming it', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const resolve = (schema: Record<string, any> = {}) =>
      typeof schema.$ref === 'string'
        ? spec.components.schemas[schema.$ref.replace('#/components/schemas/', '')]
        : schema;
    const isString = (schema: Record<string, any> = {}): boolean => {
      const s = resolve(schema);
      const types = [s.type].flat();
      return (
        types.includes('string') || (Array.isArray(s.anyOf ?? s.oneOf) && (s.anyOf ?? s.oneOf).some(isString))
      );
    };
    const pathValue = (schema: Record<string, any> = {}) => {
      const s = resolve(schema);
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if ([s.type].flat().some((t) => t === 'integer' || t === 'number')) return '1';
      return s.enum?.[0] ?? 'x';
    };
    const hostile = ['%E0%A4%A', '%ZZ', '%C3%28', '%00', 'a%00b', '%ED%A0%80', '%'];
    let checked = 0;
    const wrong: string[] = [];
    for (const [route, item] of Object.entries<Record<string, any>>(spec.paths)) {
      const parameters: { name: string; in: string; schema?: Record<string, any> }[] =
        item.get?.parameters ?? [];
      let path = route;
      for (const p of parameters.filter((p) => p.in === 'path'))
        path = path.replace(`{${p.name}}`, encodeURIComponent(String(pathValue(p.schema))));
      for (const parameter of parameters.filter((p) => p.in === 'query' && isString(p.schema))) {
        for (const value of hostile) {
          const url = `${path}?${encodeURIComponent(parameter.name)}=${value}`;
          const response = await app.inject({ method: 'GET', url, headers: management });
          checked += 1;
          const field = response.statusCode === 400 ? response.json().error?.field : undefined;
          if (field !== `querystring.${parameter.name}`)
            wrong.push(`${url} → ${response.statusCode} ${response.body.slice(0, 200)}`);
        }
      }
    }
    // Every GET route's string query parameters, each with every hostile value.
    expect(checked).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  }, 120_000);

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
