import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { apiKeys, auditLog } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { AUDIT_GENESIS, queryAudit, recordAudit, verifyAuditChain } from '../../../engine/identity/audit';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../helpers/app';
import { channelStack } from '../../helpers/channel-stack';
import { databaseKinds } from '../../helpers/databases';

const manualJourney = {
  name: 'Audited journey',
  nodes: [
    { id: 'start', type: 'trigger.manual', config: {} },
    { id: 'tag', type: 'contact.update', config: { addTags: ['x'] } },
  ],
  edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'tag' }],
};

/** RFC 4180, enough to check what a spreadsheet would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe.each(databaseKinds())('audit log (Fastify inject, real Temporal dev server, %s)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;
  let other: NewWorkspace;
  let secretKeyId: string;

  beforeAll(async () => {
    process.env.WAYLINE_SECRET_KEY ??= randomBytes(32).toString('hex');
    stack = await apiStack({ kind });
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Main');
    other = await createWorkspace(database.db, 'Other');
    [{ id: secretKeyId }] = await database.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(eq(apiKeys.prefix, workspace.secretKey.slice(0, 10)));
  });
  afterAll(() => stack?.close());

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    key = workspace.secretKey,
  ) =>
    app.inject({
      method,
      url,
      payload: payload as never,
      headers: { ...bearer(key), 'user-agent': 'audit-test/1.0' },
    });
  const rowsOf = async (action: string) =>
    (await queryAudit(database.db, workspace.id, { action, limit: 500 })).data;

  it('records publish, pause, resume and archive with the version and the calling key', async () => {
    const journey = (await call('POST', '/v1/journeys', manualJourney)).json();
    expect((await call('POST', `/v1/journeys/${journey.id}/publish`, { note: 'first' })).statusCode).toBe(
      201,
    );
    for (const action of ['pause', 'resume', 'archive']) {
      expect((await call('POST', `/v1/journeys/${journey.id}/${action}`)).statusCode).toBe(200);
    }
    const [publish] = await rowsOf('journey.publish');
    expect(publish).toMatchObject({
      workspaceId: workspace.id,
      actorType: 'api-key',
      actorId: secretKeyId,
      actorLabel: workspace.secretKey.slice(0, 10),
      objectType: 'journey',
      objectId: journey.id,
      outcome: 'success',
      ip: '127.0.0.1',
      userAgent: 'audit-test/1.0',
      change: { version: 1, note: 'first' },
    });
    const family = await queryAudit(database.db, workspace.id, { action: 'journey.*', objectId: journey.id });
    expect(family.data.map((r) => r.action)).toEqual([
      'journey.archive',
      'journey.resume',
      'journey.pause',
      'journey.publish',
    ]);
    expect(family.data[0].change).toMatchObject({ version: 1, status: 'archived' });
  });

  it('records secret, hook and contact export and erasure changes, never a secret value', async () => {
    expect((await call('PUT', '/v1/secrets/CRM_TOKEN', { value: 'tok-very-secret' })).statusCode).toBe(200);
    expect((await call('DELETE', '/v1/secrets/CRM_TOKEN')).statusCode).toBe(204);
    const hook = (
      await call('POST', '/v1/hooks', { name: 'Shop', mapping: { eventName: 'Order', emailPath: 'email' } })
    ).json();
    expect((await call('POST', `/v1/hooks/${hook.id}/rotate-secret`, {})).statusCode).toBe(200);
    expect((await call('DELETE', `/v1/hooks/${hook.id}`)).statusCode).toBe(204);
    const contact = await createContact(database.db, workspace.id, { email: 'gdpr@example.com' });
    expect((await call('GET', `/v1/contacts/${contact.id}/export`)).statusCode).toBe(200);
    expect((await call('POST', `/v1/contacts/${contact.id}/erase`)).statusCode).toBe(200);

    const rows = (await queryAudit(database.db, workspace.id, { limit: 500 })).data;
    const seen = rows.map((r) => `${r.action} ${r.objectId}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'secret.set CRM_TOKEN',
        'secret.delete CRM_TOKEN',
        `hook.create ${hook.id}`,
        `hook.rotate-secret ${hook.id}`,
        `hook.delete ${hook.id}`,
        `contact.export ${contact.id}`,
        `contact.erase ${contact.id}`,
      ]),
    );
    const stored = JSON.stringify(await database.db.select().from(auditLog));
    expect(stored).not.toContain('tok-very-secret');
    expect(stored).not.toContain(hook.secret);
  });

  it('filters by actor, action, object and date, and pages with a cursor', async () => {
    const actor = { type: 'user' as const, id: 'u-filter', label: 'filter@example.com' };
    for (let i = 0; i < 5; i++) {
      await recordAudit(database.db, {
        workspaceId: workspace.id,
        actor,
        action: 'member.role-change',
        objectType: 'user',
        objectId: `u-${i}`,
      });
    }
    const byEmail = await call('GET', '/v1/audit-log?actor=filter@example.com&limit=2');
    expect(byEmail.statusCode).toBe(200);
    const first = byEmail.json();
    expect(first.data.map((r: { objectId: string }) => r.objectId)).toEqual(['u-4', 'u-3']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (
      await call('GET', `/v1/audit-log?actor=u-filter&limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second.data.map((r: { objectId: string }) => r.objectId)).toEqual(['u-2', 'u-1']);
    const last = (
      await call('GET', `/v1/audit-log?actor=u-filter&limit=2&cursor=${second.nextCursor}`)
    ).json();
    expect(last.data.map((r: { objectId: string }) => r.objectId)).toEqual(['u-0']);
    expect(last.nextCursor).toBeNull();

    const one = (await call('GET', '/v1/audit-log?objectType=user&objectId=u-3')).json();
    expect(one.data).toHaveLength(1);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await call('GET', `/v1/audit-log?from=${future}`)).json().data).toEqual([]);
    const past = new Date(Date.now() - 3600_000).toISOString();
    expect((await call('GET', `/v1/audit-log?action=member.role-change&to=${past}`)).json().data).toEqual([]);

    const foreign = (await call('GET', '/v1/audit-log?actor=u-filter', undefined, other.secretKey)).json();
    expect(foreign.data).toEqual([]);
    const bad = await call('GET', '/v1/audit-log?from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('querystring.from');
  });

  it('exports the filtered rows as CSV, quoted properly, and logs the export', async () => {
    await recordAudit(database.db, {
      workspaceId: workspace.id,
      actor: { type: 'user', id: 'u-csv', label: 'Doe, "Jane"\nSecond line' },
      action: 'settings.change',
      objectType: 'workspace',
      objectId: '=cmd()',
      change: { before: { name: 'a' }, after: { name: 'b' } },
    });
    await recordAudit(database.db, {
      workspaceId: workspace.id,
      actor: { type: 'user', id: 'u-csv', label: 'plain' },
      action: 'settings.change',
    });
    const response = await call('GET', '/v1/audit-log.csv?actor=u-csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="audit-log-.*\.csv"/);
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual([
      'seq',
      'at',
      'actor_type',
      'actor_id',
      'actor_label',
      'action',
      'object_type',
      'object_id',
      'outcome',
      'ip',
      'user_agent',
      'change',
      'hash',
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[1][4]).toBe('plain');
    expect(rows[2][4]).toBe('Doe, "Jane"\nSecond line');
    expect(rows[2][7]).toBe("'=cmd()");
    expect(JSON.parse(rows[2][11])).toEqual({ before: { name: 'a' }, after: { name: 'b' } });

    const [exported] = await rowsOf('audit.export');
    expect(exported).toMatchObject({
      actorId: secretKeyId,
      objectType: 'audit-log',
      change: { filters: { actor: 'u-csv' }, rows: 2 },
    });
  });

  it('verifies the chain, then finds a row changed by SQL and a row deleted', async () => {
    const before = await verifyAuditChain(database.db);
    expect(before).toMatchObject({ intact: true });
    expect(before.rows).toBeGreaterThan(10);

    const [victim, next] = (
      await database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.workspaceId, workspace.id))
        .orderBy(auditLog.seq)
        .limit(3)
        .offset(2)
    ).slice(0, 2);
    await database.db.execute(
      sql`update audit_log set actor_label = 'someone else' where seq = ${victim.seq}`,
    );
    expect(await verifyAuditChain(database.db, workspace.id)).toMatchObject({
      intact: false,
      seq: victim.seq,
      workspaceId: workspace.id,
      reason: 'altered',
    });
    expect(await verifyAuditChain(database.db, other.id)).toMatchObject({ intact: true });

    await database.db.execute(
      sql`update audit_log set actor_label = ${victim.actorLabel} where seq = ${victim.seq}`,
    );
    expect(await verifyAuditChain(database.db, workspace.id)).toMatchObject({ intact: true });

    await database.db.execute(sql`delete from audit_log where seq = ${victim.seq}`);
    expect(await verifyAuditChain(database.db)).toMatchObject({
      intact: false,
      seq: next.seq,
      reason: 'link-broken',
    });
  });

  it('keeps one intact chain under concurrent writers', async () => {
    const fresh = await createWorkspace(database.db, 'Concurrent');
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        recordAudit(database.db, {
          workspaceId: fresh.id,
          actor: { type: 'system' },
          action: 'test.concurrent',
          objectId: String(i),
          change: { z: i, a: { y: [i, 'b'], b: null } },
        }),
      ),
    );
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.workspaceId, fresh.id))
      .orderBy(auditLog.seq);
    expect(rows).toHaveLength(25);
    expect(rows[0].prevHash).toBe(AUDIT_GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
    expect(new Set(rows.map((r) => r.objectId)).size).toBe(25);
    expect(await verifyAuditChain(database.db, fresh.id)).toEqual({ intact: true, rows: 25 });
  });
});

describe('audit log of channel settings (Fastify inject with channel deps, real Temporal dev server, PGlite)', () => {
  const stack = channelStack('dev-server');

  it('records before and after of channel settings, naming changed secret fields without their values', async () => {
    const workspace = await createWorkspace(stack.db, 'Channels');
    const put = (payload: unknown) =>
      stack.app.inject({
        method: 'PUT',
        url: '/v1/channels/slack',
        headers: bearer(workspace.secretKey),
        payload: payload as never,
      });
    const secretUrl = 'https://hooks.slack.test/services/T0/B0/very-secret-path';
    expect((await put({ provider: 'slack', config: { webhookUrl: secretUrl } })).statusCode).toBe(200);
    expect(
      (await put({ provider: 'slack', policy: { frequencyCap: { max: 2, windowHours: 24 } } })).statusCode,
    ).toBe(200);
    const removed = await stack.app.inject({
      method: 'DELETE',
      url: '/v1/channels/slack',
      headers: bearer(workspace.secretKey),
    });
    expect(removed.statusCode).toBe(204);

    const rows = (await queryAudit(stack.db, workspace.id, { objectType: 'channel' })).data.reverse();
    expect(rows.map((r) => [r.action, r.objectId])).toEqual([
      ['channel.update', 'slack'],
      ['channel.update', 'slack'],
      ['channel.delete', 'slack'],
    ]);
    expect(rows[0].change).toEqual({
      before: null,
      after: { provider: 'slack', config: {}, policy: {}, secretsSet: ['webhookUrl'] },
      secretsChanged: ['webhookUrl'],
    });
    expect(rows[1].change).toMatchObject({
      before: { policy: {}, secretsSet: ['webhookUrl'] },
      after: { policy: { frequencyCap: { max: 2, windowHours: 24 } }, secretsSet: ['webhookUrl'] },
      secretsChanged: [],
    });
    expect(rows[2].change).toMatchObject({ before: { provider: 'slack' }, after: null });
    expect(JSON.stringify(await stack.db.select().from(auditLog))).not.toContain('very-secret-path');
    expect(await verifyAuditChain(stack.db, workspace.id)).toMatchObject({ intact: true });
  });
});
