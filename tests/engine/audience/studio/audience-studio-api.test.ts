import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import {
  contacts,
  dealContacts,
  dealStages,
  deals,
  events,
  journeyRuns,
  journeys,
  listMembers,
  messages,
  pipelines,
  tickets,
} from '../../../../db/schema';
import { firstMatchingGroup } from '../../../../engine/automation/journeys/evaluate-conditions';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { bearer } from '../../../helpers/app';
import { databaseKinds, openTestDb } from '../../../helpers/databases';
import { line, publishGraph } from '../../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';
import { identityApp, member, signIn } from '../../identity/identity-app';

describe.each(databaseKinds())(
  'audience studio API (Fastify inject, real Temporal dev server, %s)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let stopWorker: () => Promise<void>;
    let workspace: NewWorkspace;
    let other: NewWorkspace;

    beforeAll(async () => {
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      ({ stop: stopWorker } = await startWorker(temporal, database.db));
      app = await identityApp(database, temporal);
      workspace = await createWorkspace(database.db, 'Studio');
      other = await createWorkspace(database.db, 'Other');
    });
    afterAll(async () => {
      await app?.close();
      await stopWorker?.();
      await temporal?.close();
      await database?.close();
    });

    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      key = workspace.secretKey,
    ) => app.inject({ method, url, payload: payload as never, headers: bearer(key) });
    const upload = (url: string, body: string, type = 'text/csv') =>
      app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { ...bearer(workspace.secretKey), 'content-type': type },
      });

    async function finishedJob(id: string) {
      for (let i = 0; i < 300; i++) {
        const job = (await call('GET', `/v1/jobs/${id}`)).json();
        if (job.status === 'completed' || job.status === 'failed') return job;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`job ${id} never finished`);
    }
    const contact = async (body: Record<string, unknown>) => {
      const response = await call('POST', '/v1/contacts', body);
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as string;
    };

    it('manages a list and its members; an unknown contact id is named and nothing is added', async () => {
      const a = await contact({ userId: 'list-a', email: 'a@lists.test' });
      const b = await contact({ userId: 'list-b', email: 'b@lists.test' });
      const created = await call('POST', '/v1/lists', { name: 'VIP', description: 'Best customers' });
      expect(created.statusCode).toBe(201);
      const listId = created.json().id;
      expect((await call('POST', '/v1/lists', { name: 'VIP' })).statusCode).toBe(409);

      const missing = '00000000-0000-4000-8000-000000000000';
      const bad = await call('POST', `/v1/lists/${listId}/members`, { contactIds: [a, missing] });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'contact_not_found', field: 'contactIds.1' });
      expect(await database.db.select().from(listMembers).where(eq(listMembers.listId, listId))).toHaveLength(
        0,
      );

      const added = await call('POST', `/v1/lists/${listId}/members`, { contactIds: [a, b, a] });
      expect(added.json()).toEqual({ changed: 2, members: 2 });
      expect((await call('POST', `/v1/lists/${listId}/members`, { contactIds: [a] })).json()).toEqual({
        changed: 0,
        members: 2,
      });
      const members = (await call('GET', `/v1/lists/${listId}/members?sort=email&order=asc`)).json();
      expect(members.data.map((c: { email: string }) => c.email)).toEqual(['a@lists.test', 'b@lists.test']);
      expect(members.total).toBe(2);
      expect(
        (await call('GET', `/v1/contacts/${a}/lists`)).json().data.map((l: { name: string }) => l.name),
      ).toEqual(['VIP']);

      expect((await call('DELETE', `/v1/lists/${listId}/members/${a}`)).json()).toEqual({
        changed: 1,
        members: 1,
      });
      const renamed = await call('PATCH', `/v1/lists/${listId}`, { name: 'VIPs' });
      expect(renamed.json()).toMatchObject({ name: 'VIPs', description: 'Best customers', members: 1 });
      expect((await call('GET', '/v1/lists')).json().data).toEqual([
        expect.objectContaining({ id: listId, name: 'VIPs', members: 1 }),
      ]);
      // Another workspace sees nothing of it.
      expect((await call('GET', `/v1/lists/${listId}`, undefined, other.secretKey)).statusCode).toBe(404);
      expect((await call('DELETE', `/v1/lists/${listId}`)).statusCode).toBe(204);
      expect((await call('GET', `/v1/lists/${listId}`)).statusCode).toBe(404);
    });

    it('checks custom attributes by their type on every write and names the field', async () => {
      const seats = await call('POST', '/v1/attributes', { key: 'seats', label: 'Seats', type: 'number' });
      expect(seats.statusCode).toBe(201);
      await call('POST', '/v1/attributes', {
        key: 'tier',
        label: 'Tier',
        type: 'enum',
        options: ['gold', 'silver'],
      });
      const noOptions = await call('POST', '/v1/attributes', { key: 'size', label: 'Size', type: 'enum' });
      expect(noOptions.statusCode).toBe(400);
      expect(noOptions.json().error.field).toBe('body.options');
      expect(
        (await call('POST', '/v1/attributes', { key: 'email', label: 'E', type: 'text' })).json().error.field,
      ).toBe('body.key');

      const refused = await call('POST', '/v1/contacts', { userId: 'typed', attributes: { seats: 'many' } });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'attribute_invalid', field: 'attributes.seats' });
      expect(await database.db.select().from(contacts).where(eq(contacts.externalId, 'typed'))).toHaveLength(
        0,
      );

      const id = await contact({ userId: 'typed', attributes: { seats: '12', tier: 'gold' } });
      expect((await call('GET', `/v1/contacts/${id}`)).json().attributes).toEqual({
        seats: 12,
        tier: 'gold',
      });
      const badEnum = await call('PATCH', `/v1/contacts/${id}`, { attributes: { tier: 'bronze' } });
      expect(badEnum.statusCode).toBe(400);
      expect(badEnum.json().error.field).toBe('attributes.tier');
      expect((await call('GET', `/v1/contacts/${id}`)).json().attributes.tier).toBe('gold');
      expect((await call('GET', '/v1/attributes')).json().data.map((d: { key: string }) => d.key)).toEqual([
        'seats',
        'tier',
      ]);
      expect((await call('GET', '/v1/attributes', undefined, other.secretKey)).json().data).toEqual([]);
    });

    it('previews an import with a column mapping without writing, then imports into a list row by row', async () => {
      const list = (await call('POST', '/v1/lists', { name: 'Fair 2026' })).json();
      // Line 1 header; line 3 has a bad email; line 4 a seats value that is not a number; line 5 no id at all.
      const csv = [
        'Mail,Customer,Seats,Notes',
        'ann@fair.test,ann,3,met at booth',
        'not-an-email,bad1,4,',
        'carl@fair.test,carl,lots,',
        ',,5,',
        'dina@fair.test,dina,7,',
      ].join('\n');
      const mapping = encodeURIComponent(
        JSON.stringify({ Mail: 'email', Customer: 'userId', Seats: 'attributes.seats', Notes: '' }),
      );
      const preview = await upload(`/v1/contacts/imports/preview?listId=${list.id}&mapping=${mapping}`, csv);
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json()).toMatchObject({
        total: 5,
        valid: 2,
        rejected: 3,
        columns: [
          { column: 'Mail', target: 'email' },
          { column: 'Customer', target: 'userId' },
          { column: 'Seats', target: 'attributes.seats' },
          { column: 'Notes', target: '' },
        ],
        errors: [
          { line: 3, field: 'email' },
          { line: 4, field: 'attributes.seats' },
          { line: 5, field: 'userId' },
        ],
      });
      expect(preview.json().rows[0]).toEqual({
        line: 2,
        contact: { email: 'ann@fair.test', userId: 'ann', attributes: { seats: 3 } },
      });
      expect(await database.db.select().from(contacts).where(eq(contacts.externalId, 'ann'))).toHaveLength(0);

      const badMapping = await upload(
        `/v1/contacts/imports/preview?mapping=${encodeURIComponent('{"Mail":"mail"}')}`,
        csv,
      );
      expect(badMapping.statusCode).toBe(400);
      expect(badMapping.json().error.field).toBe('mapping.Mail');

      const started = await upload(`/v1/contacts/imports?listId=${list.id}&mapping=${mapping}`, csv);
      expect(started.statusCode, started.body).toBe(202);
      const job = await finishedJob(started.json().id);
      expect(job).toMatchObject({ status: 'completed', total: 5, succeeded: 2, failed: 3 });
      expect(job.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
        [3, 'email'],
        [4, 'attributes.seats'],
        [5, 'userId'],
      ]);
      const members = (await call('GET', `/v1/lists/${list.id}/members?sort=userId&order=asc`)).json();
      expect(
        members.data.map((c: { externalId: string; attributes: object }) => [c.externalId, c.attributes]),
      ).toEqual([
        ['ann', { seats: 3 }],
        ['dina', { seats: 7 }],
      ]);
      // The rejected rows wrote nothing.
      for (const userId of ['bad1', 'carl'])
        expect(await database.db.select().from(contacts).where(eq(contacts.externalId, userId))).toHaveLength(
          0,
        );
    });

    it('filters, sorts and exports the contacts table; saves a view', async () => {
      const ws = await createWorkspace(database.db, 'Table');
      const key = ws.secretKey;
      const make = async (body: Record<string, unknown>) =>
        (await call('POST', '/v1/contacts', body, key)).json().id as string;
      const zoe = await make({
        userId: 'zoe',
        email: 'zoe@t.test',
        attributes: { plan: 'pro', seats: 30 },
        tags: ['vip'],
      });
      await make({
        userId: 'max',
        email: 'max@t.test',
        attributes: { plan: 'free', seats: 2 },
        subscriptions: { email: 'unsubscribed' },
      });
      const amy = await make({
        userId: 'amy',
        email: '=amy@t.test'.slice(1),
        attributes: { plan: 'pro', seats: 5 },
      });
      await database.db.insert(events).values({
        workspaceId: ws.id,
        contactId: amy,
        messageId: 'amy-order',
        type: 'track',
        name: 'Order Completed',
        timestamp: new Date(),
      });
      const ids = async (query: string) =>
        (await call('GET', `/v1/contacts?${query}`, undefined, key))
          .json()
          .data.map((c: { externalId: string }) => c.externalId);
      expect(await ids('sort=userId&order=asc')).toEqual(['amy', 'max', 'zoe']);
      expect(await ids('sort=attr:seats&order=desc')).toEqual(['zoe', 'amy', 'max']);
      expect(
        await ids(
          `filter=${encodeURIComponent('[{"path":"seats","op":"gte","value":5}]')}&sort=userId&order=asc`,
        ),
      ).toEqual(['amy', 'zoe']);
      expect(await ids('subscription=email:unsubscribed')).toEqual(['max']);
      expect(await ids('tag=vip')).toEqual(['zoe']);
      expect(await ids('activeWithin=7')).toEqual(['amy']);
      expect(await ids('inactiveFor=7&sort=userId&order=asc')).toEqual(['max', 'zoe']);
      const lastActive = (
        await call('GET', '/v1/contacts?sort=lastActivity&order=desc&limit=1', undefined, key)
      ).json();
      expect(lastActive.data[0]).toMatchObject({ externalId: 'amy', lastActivityAt: expect.any(String) });
      expect(lastActive.total).toBe(3);
      // Ascending puts the contacts without any activity first, amy (the only one with an event) last.
      expect((await ids('sort=lastActivity&order=asc')).at(-1)).toBe('amy');
      expect(lastActive.nextCursor).not.toBeNull();
      const second = (
        await call(
          'GET',
          `/v1/contacts?sort=lastActivity&order=desc&limit=1&cursor=${lastActive.nextCursor}`,
          undefined,
          key,
        )
      ).json();
      expect(second.data).toHaveLength(1);
      expect(second.data[0].externalId).not.toBe('amy');

      const badFilter = await call(
        'GET',
        `/v1/contacts?filter=${encodeURIComponent('[{"path":"x","op":"like"}]')}`,
        undefined,
        key,
      );
      expect(badFilter.statusCode).toBe(400);
      expect(badFilter.json().error.field).toBe('filter.0.op');

      // Exporting contacts is `contacts:export`: a marketer (a bulk action) and an analyst have it,
      // a sales person not.
      const sales = await signIn(app, (await member(database, ws.id, 'sales')).email);
      expect((await sales.call('GET', '/v1/contacts/export.csv')).statusCode).toBe(403);
      const analyst = await signIn(app, (await member(database, ws.id, 'analyst')).email);
      expect((await analyst.call('GET', '/v1/contacts/export.csv?attr=plan:pro')).statusCode).toBe(200);
      const marketer = await signIn(app, (await member(database, ws.id, 'marketer')).email);
      const csv = await marketer.call('GET', '/v1/contacts/export.csv?attr=plan:pro');
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe('id,userId,email,phone,timezone,tags,createdAt,plan,seats');
      expect(
        lines
          .slice(1)
          .map((l) => l.split(',')[1])
          .sort(),
      ).toEqual(['amy', 'zoe']);
      expect(lines.find((l) => l.includes(zoe))).toContain(',zoe,zoe@t.test,,,vip,');

      const view = await call(
        'POST',
        '/v1/contact-views',
        { name: 'Pro plans', query: { attr: 'plan:pro', sort: 'email' } },
        key,
      );
      expect(view.statusCode).toBe(201);
      expect(
        (await call('POST', '/v1/contact-views', { name: 'Pro plans', query: {} }, key)).statusCode,
      ).toBe(409);
      const badView = await call(
        'POST',
        '/v1/contact-views',
        { name: 'x', query: { subscription: 'email' } },
        key,
      );
      expect(badView.statusCode).toBe(400);
      expect(badView.json().error.field).toBe('body.query.subscription');
      expect((await call('GET', '/v1/contact-views', undefined, key)).json().data).toEqual([
        expect.objectContaining({
          name: 'Pro plans',
          query: expect.objectContaining({ attr: 'plan:pro', sort: 'email' }),
        }),
      ]);
    });

    it('tags, lists and deletes a selection in a background job', async () => {
      const ws = await createWorkspace(database.db, 'Bulk');
      const key = ws.secretKey;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await call('POST', '/v1/contacts', { userId: `bulk-${i}`, attributes: { n: i } }, key)).json().id,
        );
      }
      const run = async (body: unknown) => {
        const response = await call('POST', '/v1/contacts/bulk', body, key);
        expect(response.statusCode, response.body).toBe(202);
        return finishedJob2(response.json().id, key);
      };
      // n >= 2 selects 3 contacts.
      const filter = { filter: JSON.stringify([{ path: 'n', op: 'gte', value: 2 }]) };
      expect(await run({ action: { type: 'tag', tags: ['winner'] }, selection: { filter } })).toMatchObject({
        status: 'completed',
        total: 3,
        succeeded: 3,
      });
      expect((await call('GET', '/v1/contacts?tag=winner', undefined, key)).json().total).toBe(3);
      const list = (await call('POST', '/v1/lists', { name: 'Winners' }, key)).json();
      await run({
        action: { type: 'add-to-list', listId: list.id },
        selection: { filter: { tag: 'winner' } },
      });
      expect((await call('GET', `/v1/lists/${list.id}`, undefined, key)).json().members).toBe(3);
      const missingList = await call(
        'POST',
        '/v1/contacts/bulk',
        {
          action: { type: 'add-to-list', listId: '00000000-0000-4000-8000-000000000000' },
          selection: { ids },
        },
        key,
      );
      expect(missingList.statusCode).toBe(404);
      const both = await call(
        'POST',
        '/v1/contacts/bulk',
        { action: { type: 'delete' }, selection: {} },
        key,
      );
      expect(both.statusCode).toBe(400);
      expect(both.json().error.field).toBe('body.selection.ids');
      // Enroll the 3 winners in an active journey (forced, whatever its trigger).
      const { journey } = await publishGraph(
        database.db,
        ws.id,
        line('Winner follow-up', [{ id: 'start', type: 'trigger.manual', config: {} }]),
      );
      const unknown = await call(
        'POST',
        '/v1/contacts/bulk',
        { action: { type: 'enroll', journeyId: ids[0] }, selection: { ids } },
        key,
      );
      expect(unknown.statusCode).toBe(404);
      expect(
        await run({
          action: { type: 'enroll', journeyId: journey.id },
          selection: { filter: { tag: 'winner' } },
        }),
      ).toMatchObject({ status: 'completed', total: 3, succeeded: 3, failed: 0 });
      expect(
        await database.db.select().from(journeyRuns).where(eq(journeyRuns.journeyId, journey.id)),
      ).toHaveLength(3);
      expect(await run({ action: { type: 'delete' }, selection: { ids: [ids[0], ids[1]] } })).toMatchObject({
        succeeded: 2,
      });
      expect((await call('GET', '/v1/contacts', undefined, key)).json().total).toBe(3);
    });

    async function finishedJob2(id: string, key: string) {
      for (let i = 0; i < 300; i++) {
        const job = (await call('GET', `/v1/jobs/${id}`, undefined, key)).json();
        if (job.status === 'completed' || job.status === 'failed') return job;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`job ${id} never finished`);
    }

    it('merges two contacts by hand: the target keeps its values, the other fills gaps and goes', async () => {
      const target = await contact({ email: 'keep@merge.test', attributes: { plan: 'pro' }, tags: ['a'] });
      const source = await contact({
        userId: 'merged-src',
        phone: '+14155550100',
        attributes: { plan: 'free', city: 'Oslo' },
        tags: ['b'],
      });
      await database.db.insert(events).values({
        workspaceId: workspace.id,
        contactId: source,
        messageId: 'merge-src-event',
        type: 'track',
        name: 'Signed Up',
        timestamp: new Date(),
      });
      expect((await call('POST', `/v1/contacts/${target}/merge`, { sourceId: target })).statusCode).toBe(400);
      const merged = await call('POST', `/v1/contacts/${target}/merge`, { sourceId: source });
      expect(merged.statusCode, merged.body).toBe(200);
      expect(merged.json()).toMatchObject({
        email: 'keep@merge.test',
        externalId: 'merged-src',
        phone: '+14155550100',
        attributes: { plan: 'pro', city: 'Oslo' },
        tags: ['a', 'b'],
      });
      expect((await call('GET', `/v1/contacts/${source}`)).statusCode).toBe(404);
      const moved = await database.db.select().from(events).where(eq(events.messageId, 'merge-src-event'));
      expect(moved[0].contactId).toBe(target);
    });

    it('builds segments with engagement rules, records sizes, and refuses to delete one in use', async () => {
      const ws = await createWorkspace(database.db, 'Segments');
      const key = ws.secretKey;
      const opener = (await call('POST', '/v1/contacts', { userId: 'opener' }, key)).json().id;
      const clicker = (await call('POST', '/v1/contacts', { userId: 'clicker' }, key)).json().id;
      await call('POST', '/v1/contacts', { userId: 'silent' }, key);
      const message = (contactId: string, status: string, template: string, test = false) => ({
        workspaceId: ws.id,
        idempotencyKey: `${contactId}-${status}-${template}-${test}`,
        contactId,
        channel: 'email',
        status,
        test,
        payload: { template },
      });
      await database.db.insert(messages).values([
        message(opener, 'opened', 'Welcome'),
        message(clicker, 'clicked', 'Welcome'),
        message(clicker, 'delivered', 'Promo'),
        // A test send never counts.
        message(opener, 'clicked', 'Welcome', true),
      ]);
      const count = async (rules: unknown[]) =>
        (await call('POST', '/v1/segments/preview', { definition: { match: 'all', rules } }, key)).json()
          .count;
      // Opened Welcome: opener (opened) and clicker (clicked counts as opened) = 2.
      expect(await count([{ kind: 'engagement', status: 'opened', template: 'Welcome' }])).toBe(2);
      // Clicked anything (test sends excluded) = clicker only.
      expect(await count([{ kind: 'engagement', status: 'clicked' }])).toBe(1);
      // Nested: (opened Welcome) AND NOT-any (delivered Promo) → opener = 1.
      expect(
        await count([
          { kind: 'engagement', status: 'opened', template: 'Welcome' },
          {
            match: 'any',
            rules: [{ kind: 'engagement', status: 'delivered', template: 'Promo', minCount: 0 }],
          },
        ]),
      ).toBe(1);

      const segment = (
        await call(
          'POST',
          '/v1/segments',
          { name: 'Openers', definition: { rules: [{ kind: 'engagement', status: 'opened' }] } },
          key,
        )
      ).json();
      expect(segment.members).toBe(2);
      const today = new Date().toISOString().slice(0, 10);
      expect((await call('GET', `/v1/segments/${segment.id}/sizes`, undefined, key)).json()).toEqual({
        data: [{ day: today, members: 2 }],
      });
      expect((await call('GET', `/v1/segments/${segment.id}/usage`, undefined, key)).json()).toEqual({
        data: [],
      });

      const [journey] = await database.db
        .insert(journeys)
        .values({
          workspaceId: ws.id,
          name: 'Win back',
          draft: { nodes: [{ id: 'b', type: 'branch.condition', config: { segmentId: segment.id } }] },
        })
        .returning();
      const refused = await call('DELETE', `/v1/segments/${segment.id}`, undefined, key);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({
        code: 'segment_in_use',
        users: [{ type: 'journey', id: journey.id, name: 'Win back', status: 'draft' }],
      });
      expect(
        (await call('GET', `/v1/segments/${segment.id}/usage`, undefined, key)).json().data,
      ).toHaveLength(1);
      await database.db.delete(journeys).where(eq(journeys.id, journey.id));
      expect((await call('DELETE', `/v1/segments/${segment.id}`, undefined, key)).statusCode).toBe(204);
    });

    it('matches deal stage and ticket state in segments and in journey branch conditions alike', async () => {
      const ws = await createWorkspace(database.db, 'CRM conditions');
      const key = ws.secretKey;
      const make = async (userId: string) => (await call('POST', '/v1/contacts', { userId }, key)).json();
      const [ava, ben, cat] = [await make('ava'), await make('ben'), await make('cat')];
      const { db } = database;
      const [pipeline] = await db.insert(pipelines).values({ workspaceId: ws.id, name: 'Sales' }).returning();
      const [lead, proposal] = await db
        .insert(dealStages)
        .values([
          { workspaceId: ws.id, pipelineId: pipeline.id, name: 'Lead', position: 0 },
          { workspaceId: ws.id, pipelineId: pipeline.id, name: 'Proposal', position: 1 },
        ])
        .returning();
      const [dealA, dealB] = await db
        .insert(deals)
        .values([
          {
            workspaceId: ws.id,
            pipelineId: pipeline.id,
            stageId: proposal.id,
            title: 'A',
            currency: 'EUR',
          },
          {
            workspaceId: ws.id,
            pipelineId: pipeline.id,
            stageId: lead.id,
            title: 'B',
            currency: 'EUR',
            status: 'lost',
          },
        ])
        .returning();
      await db.insert(dealContacts).values([
        { workspaceId: ws.id, dealId: dealA.id, contactId: ava.id },
        { workspaceId: ws.id, dealId: dealB.id, contactId: ben.id },
      ]);
      await db.insert(tickets).values([
        { workspaceId: ws.id, subject: 'Broken', contactId: ben.id, status: 'open', priority: 'urgent' },
        { workspaceId: ws.id, subject: 'Old', contactId: cat.id, status: 'closed' },
      ]);
      const users = async (rules: unknown[]) =>
        (await call('POST', '/v1/segments/preview', { definition: { rules } }, key))
          .json()
          .sample.map((c: { userId: string }) => c.userId)
          .sort();
      // In Proposal now: ava. An open deal anywhere: ava (ben's is lost).
      expect(await users([{ kind: 'deal', stageId: proposal.id }])).toEqual(['ava']);
      expect(await users([{ kind: 'deal', status: 'open' }])).toEqual(['ava']);
      expect(await users([{ kind: 'deal', present: false }])).toEqual(['cat']);
      // Open tickets (new, open, pending): ben. No open ticket: ava and cat (cat's is closed).
      const open = ['new', 'open', 'pending'];
      expect(await users([{ kind: 'ticket', status: open }])).toEqual(['ben']);
      expect(await users([{ kind: 'ticket', status: open, present: false }])).toEqual(['ava', 'cat']);
      expect(await users([{ kind: 'ticket', priority: 'urgent' }])).toEqual(['ben']);
      const bad = await call(
        'POST',
        '/v1/segments/preview',
        { definition: { rules: [{ kind: 'ticket', status: ['gone'] }] } },
        key,
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toMatch(/^body\.definition\.rules\.0/);

      // The same conditions in a journey branch: the first group that holds wins.
      const groups = [
        {
          match: 'all' as const,
          conditions: [{ kind: 'ticket' as const, status: ['open' as const], present: true }],
        },
        {
          match: 'all' as const,
          conditions: [{ kind: 'deal' as const, stageId: proposal.id, present: true }],
        },
      ];
      const branch = async (contact: { id: string }) => {
        const [row] = await db.select().from(contacts).where(eq(contacts.id, contact.id));
        return firstMatchingGroup(groups, {
          db,
          workspaceId: ws.id,
          contact: row,
          workflowId: 'wl:test',
          steps: {},
        });
      };
      expect([await branch(ben), await branch(ava), await branch(cat)]).toEqual([0, 1, -1]);
    });
  },
);
