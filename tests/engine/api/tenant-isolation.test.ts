import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { API_KEY_SCOPES, ROLES } from '../../../db/schema';
import { issueApiKey } from '../../../engine/identity/api-keys';
import { permissionsOfRole, permissionsOfScopes, routeAccess } from '../../../engine/identity/permissions';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { databaseKinds } from '../../helpers/databases';
import { type Browser, identityApp, member, signIn } from '../identity/identity-app';

interface Route {
  method: string;
  /** As Fastify registers it: `/v1/journeys/:id`. */
  url: string;
  body?: JsonSchema;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  default?: unknown;
  pattern?: string;
  $ref?: string;
}

const graph = { name: 'A journey', nodes: [{ id: 'start', type: 'trigger.manual', config: {} }], edges: [] };
const hook = { name: 'A hook', mapping: { eventName: 'Order', emailPath: 'email' } };

/** Bodies the schema-derived sample cannot guess (cross-field rules), so the call reaches the handler. */
const examples: Record<string, unknown> = {
  'PUT /v1/journeys/:id': graph,
  'PUT /v1/hooks/:id': hook,
};

/** Every route the app serves, from its own OpenAPI description: a route added tomorrow is in this list. */
function routesOf(app: FastifyInstance): Route[] {
  const spec = app.swagger() as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema: JsonSchema }> } }>
    >;
  };
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (method === 'head') continue;
      routes.push({
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, ':$1'),
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return routes;
}

/** A minimal body that passes the schema's shape, so the call reaches the auth layer and the handler. */
function sample(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return {};
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return sample(alternatives.find((s) => s.type !== 'null') ?? alternatives[0], depth + 1);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sample(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    for (const key of schema.required ?? []) out[key] = sample(schema.properties?.[key], depth + 1);
    return out;
  }
  if (type === 'array') return schema.minItems ? [sample(schema.items, depth + 1)] : [];
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return false;
  if (type === 'string') {
    if (schema.format === 'email') return 'isolation@example.com';
    if (schema.format === 'uuid') return randomUUID();
    if (schema.format === 'date-time') return new Date().toISOString();
    if (schema.format === 'uri') return 'https://example.com/';
    return 'X'.repeat(Math.max(1, schema.minLength ?? 1));
  }
  return {};
}

/**
 * Every row of every table that has a workspace column, for one workspace (audit log aside):
 * "nothing changed" is this being equal before and after.
 */
async function snapshot(database: Database, workspaceId: string): Promise<string> {
  const rowsOf = (result: unknown) =>
    (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const tables = rowsOf(
    await database.db.execute(
      sql`select table_name from information_schema.columns where column_name = 'workspace_id' and table_schema = 'public' order by table_name`,
    ),
  ).map((r) => String(r.table_name));
  const dump: Record<string, unknown> = {};
  // The audit log records refusals by design; everything else must stay as it was.
  for (const table of tables.filter((t) => t !== 'audit_log')) {
    const rows = rowsOf(
      await database.db.execute(
        sql`select * from ${sql.identifier(table)} where workspace_id = ${workspaceId}`,
      ),
    );
    dump[table] = rows
      .map((row) => {
        const { last_used_at: _used, last_seen_at: _seen, ...rest } = row;
        return JSON.stringify(rest);
      })
      .sort();
  }
  return JSON.stringify(dump);
}

describe.each(databaseKinds())(
  'tenant isolation and the permission table, for every route of the app (%s)',
  (kind) => {
    let database: Database;
    let stack: ApiStack;
    let app: FastifyInstance;
    let a: NewWorkspace;
    let b: NewWorkspace;
    let routes: Route[];
    /** Workspace A's objects, by the route segment or parameter that names them. */
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      stack = await apiStack({ kind, app: identityApp });
      ({ database, app } = stack);
      a = await createWorkspace(database.db, 'Tenant A');
      b = await createWorkspace(database.db, 'Tenant B');
      const asA = async (method: string, url: string, payload: unknown) => {
        const response = await app.inject({
          method: method as never,
          url,
          payload: payload as never,
          headers: bearer(a.secretKey),
        });
        if (response.statusCode >= 300)
          throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
        return response.body ? response.json() : {};
      };
      ids.journeys = (await asA('POST', '/v1/journeys', graph)).id;
      ids.contacts = (await asA('POST', '/v1/contacts', { userId: 'a-1', email: 'a-1@example.com' })).id;
      ids.segments = (
        await asA('POST', '/v1/segments', {
          name: 'A segment',
          definition: { rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
        })
      ).id;
      ids.templates = (
        await asA('POST', '/v1/templates', {
          name: 'a-template',
          channel: 'email',
          subject: 'Hi',
          body: 'Hi',
        })
      ).id;
      ids.hooks = (await asA('POST', '/v1/hooks', hook)).id;
      await asA('PUT', '/v1/secrets/A_SECRET', { value: 'a-secret-value' });
      await asA('PUT', '/v1/suppressions', {
        channel: 'email',
        address: 'a-suppressed@example.com',
        reason: 'manual',
      });
      ids['api-keys'] = (
        await issueApiKey(database.db, { workspaceId: a.id, name: 'A key', scopes: ['read'] })
      ).id;
      ids.userId = (await member(database, a.id, 'marketer')).id;
      ids.invitations = (
        await asA('POST', '/v1/invitations', { email: 'a-invitee@example.com', role: 'sales' })
      ).id;
      await asA('POST', `/v1/journeys/${ids.journeys}/publish`, {});
      ids.jobs = (
        await asA('POST', `/v1/journeys/${ids.journeys}/enroll-segment`, { segmentId: ids.segments })
      ).id;
      routes = routesOf(app);
    });
    afterAll(() => stack?.close());

    /** The URL of a route with workspace A's ids in its parameters. */
    function urlWithIdsOfA(route: Route): string {
      const segments = route.url.split('/');
      return segments
        .map((segment, i) => {
          if (!segment.startsWith(':')) return segment;
          const name = segment.slice(1);
          if (name === 'id') return ids[segments[i - 1]] ?? randomUUID();
          if (name === 'userId') return ids.userId;
          if (name === 'name') return 'A_SECRET';
          if (name === 'channel') return 'email';
          if (name === 'address') return 'a-suppressed@example.com';
          if (name === 'version') return '1';
          if (name === 'nodeId') return 'start';
          return randomUUID();
        })
        .join('/');
    }

    it('the app has a permission decision for every /v1 route it serves', () => {
      const v1 = routes.filter((r) => r.url.startsWith('/v1/'));
      expect(v1.length).toBeGreaterThan(60);
      for (const route of v1)
        expect(routeAccess(route.method, route.url), `${route.method} ${route.url}`).toBeDefined();
    });

    it("answers workspace B's calls with A's ids 404 or 403 and changes nothing in A", async () => {
      const owner = await member(database, b.id, 'owner');
      const browser = await signIn(app, owner.email);
      const before = await snapshot(database, a.id);
      const withIds = routes.filter(
        (r) =>
          r.url.startsWith('/v1/') &&
          /\/:(id|userId)\b/.test(r.url) &&
          routeAccess(r.method, r.url) !== 'public',
      );
      expect(withIds.length).toBeGreaterThan(30);
      const leaks: string[] = [];
      for (const route of withIds) {
        const url = urlWithIdsOfA(route);
        const payload =
          route.method === 'GET' || route.method === 'DELETE'
            ? undefined
            : (examples[`${route.method} ${route.url}`] ?? sample(route.body));
        for (const call of [
          () => browser.call(route.method, url, payload),
          () =>
            app.inject({
              method: route.method as never,
              url,
              payload: payload as never,
              headers: bearer(b.secretKey),
            }),
        ]) {
          const response: LightMyRequestResponse = await call();
          if (![403, 404].includes(response.statusCode))
            leaks.push(
              `${route.method} ${route.url} → ${response.statusCode} ${response.body.slice(0, 160)}`,
            );
        }
      }
      expect(leaks).toEqual([]);
      expect(await snapshot(database, a.id)).toBe(before);
    });

    it('lists nothing of workspace A to workspace B', async () => {
      const lists = routes.filter(
        (r) =>
          r.method === 'GET' &&
          r.url.startsWith('/v1/') &&
          !r.url.includes(':') &&
          routeAccess(r.method, r.url) !== 'public',
      );
      const secretsOfA = [...Object.values(ids), 'a-1@example.com', 'a-invitee@example.com', 'Tenant A'];
      for (const route of lists) {
        const response = await app.inject({ method: 'GET', url: route.url, headers: bearer(b.secretKey) });
        for (const secret of secretsOfA)
          expect(response.body, `${route.url} shows ${secret}`).not.toContain(secret);
      }
    });

    it.each(ROLES)(
      'enforces the permission table for the %s role on every route, and a denial changes nothing',
      async (role) => {
        const workspace = await createWorkspace(database.db, `Roles ${role}`);
        const user = await member(database, workspace.id, role);
        const browser: Browser = await signIn(app, user.email);
        const allowed = permissionsOfRole(role);
        const before = await snapshot(database, workspace.id);
        const wrong: string[] = [];
        const checked = routes.filter((r) => {
          const access = routeAccess(r.method, r.url);
          return r.url.startsWith('/v1/') && access !== 'public' && access !== 'signed-in';
        });
        for (const route of checked) {
          const permission = routeAccess(route.method, route.url)!;
          if (allowed.includes(permission as never)) continue;
          const url = route.url.replace(/:\w+/g, () => randomUUID());
          const payload =
            route.method === 'GET' || route.method === 'DELETE' ? undefined : sample(route.body);
          const response = await browser.call(route.method, url, payload);
          const error = response.json().error;
          if (response.statusCode !== 403 || error?.permission !== permission)
            wrong.push(`${route.method} ${route.url}: ${response.statusCode} ${response.body.slice(0, 120)}`);
        }
        expect(wrong).toEqual([]);
        expect(await snapshot(database, workspace.id)).toBe(before);

        // Allowed routes pass the auth layer (whatever the handler then answers for made-up ids).
        for (const route of checked) {
          const permission = routeAccess(route.method, route.url)!;
          if (!allowed.includes(permission as never) || route.method !== 'GET') continue;
          const response = await browser.call(
            'GET',
            route.url.replace(/:\w+/g, () => randomUUID()),
          );
          expect([401, 403], `${route.method} ${route.url} for ${role}`).not.toContain(response.statusCode);
        }
      },
    );

    it.each(API_KEY_SCOPES)('enforces the %s API key scope on every route', async (scope) => {
      const key = await issueApiKey(database.db, {
        workspaceId: b.id,
        name: `scope ${scope}`,
        scopes: [scope],
      });
      const allowed = permissionsOfScopes([scope]);
      for (const route of routes) {
        const access = routeAccess(route.method, route.url);
        if (!route.url.startsWith('/v1/') || !access || access === 'public' || access === 'signed-in')
          continue;
        if (route.method !== 'GET' && allowed.includes(access as never)) continue;
        const url = route.url.replace(/:\w+/g, () => randomUUID());
        const response = await app.inject({ method: route.method as never, url, headers: bearer(key.key) });
        if (scope === 'ingest') {
          // Ingest keys are write keys: the tracking API only.
          expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
        } else if (allowed.includes(access as never)) {
          expect([401, 403], `${route.method} ${route.url}`).not.toContain(response.statusCode);
        } else {
          expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
          expect(response.json().error.permission).toBe(access);
        }
      }
    });
  },
);
