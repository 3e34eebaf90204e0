import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { buildApp } from '../../engine/api/app';
import { appDeps } from '../helpers/app';
import { testChannelDeps } from '../helpers/channels';
import { openTestDb } from '../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../helpers/temporal';

interface Response {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}
interface Operation {
  responses?: Record<string, Response>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

function operations(doc: Document): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${route}`, operation]),
  );
}

/** Every `$ref` in the document with the JSON path where it stands. */
function refs(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refs(item, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' ? [{ ref: child, at }] : refs(child, `${at}/${key}`),
  );
}

function resolve(doc: Document, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
      doc,
    );
}

describe('GET /docs/json (the real API on PGlite and the Temporal dev server)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let doc: Document;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    app = await buildApp(appDeps(database, temporal, { channels: testChannelDeps(database.db) }));
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  it('is an OpenAPI 3 document whose operations all answer with described responses', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const malformed = operations(doc).flatMap(([name, operation]) =>
      Object.entries(operation.responses ?? { none: {} })
        .filter(
          ([status, response]) => !/^([1-5]\d\d|[1-5]XX|default)$/.test(status) || !response.description,
        )
        .map(([status]) => `${name} ${status}`),
    );
    expect(malformed).toEqual([]);
  });

  it('documents a success answer for every /v1 operation: a body schema, a media type, no content or a redirect', () => {
    const undocumented = operations(doc)
      .filter(([name]) => name.split(' ')[1].startsWith('/v1/'))
      .filter(([, operation]) => {
        const successes = Object.entries(operation.responses ?? {}).filter(([status]) =>
          /^[23]/.test(status),
        );
        return !successes.some(
          ([status, response]) =>
            status === '204' ||
            /^3/.test(status) ||
            Object.entries(response.content ?? {}).some(
              ([mediaType, media]) => mediaType !== 'application/json' || media.schema !== undefined,
            ),
        );
      })
      .map(([name]) => name);
    expect(undocumented).toEqual([]);
  });

  it('documents every 4xx answer as the one error body', () => {
    const fourXx = operations(doc).flatMap(([name, operation]) =>
      Object.entries(operation.responses ?? {})
        .filter(([status]) => /^4/.test(status))
        .map(([status, response]) => ({
          name: `${name} ${status}`,
          schema: response.content?.['application/json']?.schema,
        })),
    );
    expect(fourXx.length).toBeGreaterThan(50);
    const others = fourXx.filter(
      ({ schema }) => !JSON.stringify(schema ?? {}).includes('"#/components/schemas/ErrorBody"'),
    );
    expect(others.map(({ name }) => name)).toEqual([]);
    expect(doc.components?.schemas?.ErrorBody).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('has no $ref that points nowhere', () => {
    const dangling = refs(doc).filter(({ ref }) => resolve(doc, ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('documents dates as date-time strings and non-JSON answers by their media type', () => {
    const journey = doc.components?.schemas?.Journey as { properties: Record<string, unknown> };
    expect(journey.properties.createdAt).toEqual({ type: 'string', format: 'date-time' });
    expect(Object.keys(doc.paths['/t/o/{*}'].get.responses?.['200']?.content ?? {})).toEqual(['image/gif']);
    expect(Object.keys(doc.paths['/t/u/{*}'].get.responses?.['200']?.content ?? {})).toEqual(['text/html']);
  });
});
