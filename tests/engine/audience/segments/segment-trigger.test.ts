import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { getContact } from '../../../../engine/audience/contacts/contacts';
import { runsOfContact } from '../../../../engine/automation/runs/queries';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { reevaluateAllSegments } from '../../../../engine/operations/segment-membership';
import { bearer, testApp } from '../../../helpers/app';
import { openTestDb } from '../../../helpers/databases';
import { line } from '../../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../../helpers/temporal';

describe('trigger.segment (real Temporal dev server, PGlite, outbox dispatcher, API via inject)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let stopWorker: () => Promise<void>;
  let dispatcher: Dispatcher;
  let workspace: NewWorkspace;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    ({ stop: stopWorker } = await startWorker(temporal, database.db));
    dispatcher = startDispatcher(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      { pollMs: 100 },
    );
    app = await testApp(database, temporal, undefined, dispatcher);
    workspace = await createWorkspace(database.db, 'Segments');
  });
  afterAll(async () => {
    await app?.close();
    await dispatcher?.stop();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, payload: payload as never, headers: bearer(workspace.secretKey) });

  async function publishSegmentJourney(segmentId: string, reEntry: 'never' | 'after-exit' = 'never') {
    const journey = await call(
      'POST',
      '/v1/journeys',
      line(
        'Welcome pros',
        [
          { id: 'start', type: 'trigger.segment', config: { segmentId } },
          { id: 'mark', type: 'contact.update', config: { addTags: ['welcomed-pro'] } },
        ],
        { reEntry: { mode: reEntry }, exitCriteria: [] },
      ),
    );
    expect(journey.statusCode).toBe(201);
    expect((await call('POST', `/v1/journeys/${journey.json().id}/publish`)).statusCode).toBe(201);
    return journey.json().id as string;
  }

  async function waitForTag(contactId: string, tag: string) {
    for (let i = 0; i < 100; i++) {
      const contact = await getContact(database.db, workspace.id, contactId);
      if (contact.tags.includes(tag)) return contact;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`tag ${tag} never appeared`);
  }

  it('enrolls a contact as soon as an attribute update makes it match, and only on entering', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Pro plan',
      definition: { rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
    });
    expect(segment.statusCode).toBe(201);
    const segmentId = segment.json().id;
    const journeyId = await publishSegmentJourney(segmentId);

    const created = await call('POST', '/v1/contacts', { userId: 'grace', attributes: { plan: 'free' } });
    const contactId = created.json().id;
    expect(await runsOfContact(database.db, workspace.id, contactId)).toHaveLength(0);

    const updated = await call('PATCH', `/v1/contacts/${contactId}`, { attributes: { plan: 'pro' } });
    expect(updated.statusCode).toBe(200);
    // The run exists when the update answers; the journey then tags the contact.
    const runs = await runsOfContact(database.db, workspace.id, contactId);
    expect(runs.map((r) => r.journeyId)).toEqual([journeyId]);
    await waitForTag(contactId, 'welcomed-pro');

    // Staying in the segment is no new entry.
    await call('PATCH', `/v1/contacts/${contactId}`, { attributes: { seats: 4 } });
    expect(await runsOfContact(database.db, workspace.id, contactId)).toHaveLength(1);
    const members = await call('GET', `/v1/contacts?segmentId=${segmentId}`);
    expect(members.json().data.map((c: { id: string }) => c.id)).toEqual([contactId]);
  });

  it('enrolls again on re-entering when the journey allows re-entry after exit', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Tagged hot',
      definition: { rules: [{ kind: 'tag', tag: 'hot' }] },
    });
    const journeyId = await publishSegmentJourney(segment.json().id, 'after-exit');
    const contactId = (await call('POST', '/v1/contacts', { userId: 'hopper' })).json().id;

    await call('PATCH', `/v1/contacts/${contactId}`, { addTags: ['hot'] });
    await waitForTag(contactId, 'welcomed-pro');
    await call('PATCH', `/v1/contacts/${contactId}`, { removeTags: ['hot', 'welcomed-pro'] });
    for (let i = 0; i < 100; i++) {
      const [run] = await runsOfContact(database.db, workspace.id, contactId);
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await call('PATCH', `/v1/contacts/${contactId}`, { addTags: ['hot'] });
    const runs = await runsOfContact(database.db, workspace.id, contactId);
    expect(runs.filter((r) => r.journeyId === journeyId)).toHaveLength(2);
  });

  it("enrolls a contact that a journey's node moved into the segment, within seconds", async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Tagged vip by a journey',
      definition: { rules: [{ kind: 'tag', tag: 'vip' }] },
    });
    const welcomeId = await publishSegmentJourney(segment.json().id);
    const promote = await call(
      'POST',
      '/v1/journeys',
      line('Promote', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'tag', type: 'contact.update', config: { addTags: ['vip'] } },
      ]),
    );
    expect((await call('POST', `/v1/journeys/${promote.json().id}/publish`)).statusCode).toBe(201);
    const contactId = (await call('POST', '/v1/contacts', { userId: 'ada-vip' })).json().id;

    const enrolled = await call('POST', `/v1/journeys/${promote.json().id}/enroll`, {
      contactIds: [contactId],
    });
    expect(enrolled.json().data[0].enrolled).toBe(true);
    // No API write touched the contact: the node's update alone makes it enter the segment.
    await waitForTag(contactId, 'welcomed-pro');
    const runs = await runsOfContact(database.db, workspace.id, contactId);
    expect(runs.map((r) => r.journeyId).sort()).toEqual([promote.json().id, welcomeId].sort());
  });

  it("enrolls a contact that a journey's list.add moved into a segment defined on that list", async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'On the beta list',
      definition: { rules: [{ kind: 'list', list: 'beta' }] },
    });
    await publishSegmentJourney(segment.json().id);
    const enlist = await call(
      'POST',
      '/v1/journeys',
      line('Enlist', [
        { id: 'start', type: 'trigger.manual', config: {} },
        { id: 'add', type: 'list.add', config: { list: 'beta' } },
      ]),
    );
    expect((await call('POST', `/v1/journeys/${enlist.json().id}/publish`)).statusCode).toBe(201);
    const contactId = (await call('POST', '/v1/contacts', { userId: 'beta-tester' })).json().id;
    await call('POST', `/v1/journeys/${enlist.json().id}/enroll`, { contactIds: [contactId] });
    await waitForTag(contactId, 'welcomed-pro');
  });

  it('on resume, enrolls the contacts who entered the segment while the journey was paused, once', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Paid plan',
      definition: { rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'paid' }] },
    });
    const journeyId = await publishSegmentJourney(segment.json().id);
    expect((await call('POST', `/v1/journeys/${journeyId}/pause`)).statusCode).toBe(200);
    const contactId = (await call('POST', '/v1/contacts', { userId: 'paused-c' })).json().id;
    await call('PATCH', `/v1/contacts/${contactId}`, { attributes: { plan: 'paid' } });
    const runsOfJourney = async () =>
      (await runsOfContact(database.db, workspace.id, contactId)).filter((r) => r.journeyId === journeyId);
    expect(await runsOfJourney()).toHaveLength(0);

    const audience = await call('GET', `/v1/journeys/${journeyId}/entry-audience`);
    expect(audience.json()).toMatchObject({ segmentId: segment.json().id, enteredWhilePaused: 1 });
    const resumed = await call('POST', `/v1/journeys/${journeyId}/resume`);
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().missedEnrolled).toBe(1);
    await waitForTag(contactId, 'welcomed-pro');
    await call('PATCH', `/v1/contacts/${contactId}`, { attributes: { plan: 'paid', seats: 2 } });
    expect(await runsOfJourney()).toHaveLength(1);
  });

  it('on resume with "skip", the contacts who entered during the pause stay out', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Paid plan, skipped',
      definition: { rules: [{ kind: 'tag', tag: 'skip-me' }] },
    });
    const journeyId = await publishSegmentJourney(segment.json().id);
    await call('POST', `/v1/journeys/${journeyId}/pause`);
    const contactId = (await call('POST', '/v1/contacts', { userId: 'skipped-c' })).json().id;
    await call('PATCH', `/v1/contacts/${contactId}`, { addTags: ['skip-me'] });
    const resumed = await call('POST', `/v1/journeys/${journeyId}/resume`, { missed: 'skip' });
    expect(resumed.json().missedEnrolled).toBe(0);
    const runs = await runsOfContact(database.db, workspace.id, contactId);
    expect(runs.filter((r) => r.journeyId === journeyId)).toHaveLength(0);
  });

  it('publishing enrolls the current members only when the marketer chose backfill, and records the choice', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Existing members',
      definition: { rules: [{ kind: 'tag', tag: 'existing' }] },
    });
    const member = (await call('POST', '/v1/contacts', { userId: 'existing-1', tags: ['existing'] })).json()
      .id;
    const create = (name: string) =>
      call(
        'POST',
        '/v1/journeys',
        line(name, [
          { id: 'start', type: 'trigger.segment', config: { segmentId: segment.json().id } },
          { id: 'mark', type: 'contact.update', config: { addTags: [`done-${name}`] } },
        ]),
      );
    const skipped = (await create('skip')).json().id;
    const audience = await call('GET', `/v1/journeys/${skipped}/entry-audience`);
    expect(audience.json().members).toBe(1);
    const noBackfill = await call('POST', `/v1/journeys/${skipped}/publish`, {});
    expect(noBackfill.json()).toMatchObject({ backfill: 'skip', backfilled: 0 });

    const backfilled = (await create('enroll')).json().id;
    const published = await call('POST', `/v1/journeys/${backfilled}/publish`, { backfill: 'enroll' });
    expect(published.json()).toMatchObject({ backfill: 'enroll', backfilled: 1 });
    await waitForTag(member, 'done-enroll');
    const runs = await runsOfContact(database.db, workspace.id, member);
    expect(runs.map((r) => r.journeyId)).toEqual([backfilled]);
  });

  it('manual enroll skips a contact outside the entry segment and says why, unless forced', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Only insiders',
      definition: { rules: [{ kind: 'tag', tag: 'insider' }] },
    });
    const journeyId = await publishSegmentJourney(segment.json().id, 'after-exit');
    const outsider = (await call('POST', '/v1/contacts', { userId: 'outsider' })).json().id;
    const refused = await call('POST', `/v1/journeys/${journeyId}/enroll`, { contactIds: [outsider] });
    expect(refused.statusCode).toBe(200);
    expect(refused.json().data).toEqual([
      { contactId: outsider, enrolled: false, reason: 'the contact is not in the entry segment' },
    ]);
    expect(await runsOfContact(database.db, workspace.id, outsider)).toHaveLength(0);

    const forced = await call('POST', `/v1/journeys/${journeyId}/enroll`, {
      contactIds: [outsider],
      force: true,
    });
    expect(forced.json().data[0]).toMatchObject({ contactId: outsider, enrolled: true });
  });

  it('re-enters at exit while the contact stays in the segment, after the minimum interval, and stops once it left', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Looping members',
      definition: { rules: [{ kind: 'tag', tag: 'loop' }] },
    });
    const journey = await call(
      'POST',
      '/v1/journeys',
      line(
        'Monthly digest while subscribed',
        [
          {
            id: 'start',
            type: 'trigger.segment',
            config: { segmentId: segment.json().id, reenterAtExit: true },
          },
          { id: 'mark', type: 'contact.update', config: { addTags: ['digested'] } },
        ],
        { reEntry: { mode: 'after-exit', minInterval: { amount: 2, unit: 'seconds' } } },
      ),
    );
    const journeyId = journey.json().id;
    expect((await call('POST', `/v1/journeys/${journeyId}/publish`)).statusCode).toBe(201);
    const contactId = (await call('POST', '/v1/contacts', { userId: 'looper' })).json().id;
    const runsOfJourney = async () =>
      (await runsOfContact(database.db, workspace.id, contactId)).filter((r) => r.journeyId === journeyId);

    await call('PATCH', `/v1/contacts/${contactId}`, { addTags: ['loop'] });
    let runs = await runsOfJourney();
    for (let i = 0; i < 150 && runs.filter((r) => r.status === 'completed').length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      runs = await runsOfJourney();
    }
    const completed = runs.filter((r) => r.status === 'completed').sort((a, b) => a.entry - b.entry);
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(completed[1].triggerEventId).toBe(`reenter:${completed[0].workflowId}`);
    expect(completed[1].startedAt.getTime() - completed[0].startedAt.getTime()).toBeGreaterThanOrEqual(1_900);

    await call('PATCH', `/v1/contacts/${contactId}`, { removeTags: ['loop'] });
    await new Promise((r) => setTimeout(r, 3_000));
    const settled = (await runsOfJourney()).length;
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await runsOfJourney()).length).toBe(settled);
  });

  it('refuses re-entry at exit without a re-entry interval', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'No interval',
      definition: { rules: [{ kind: 'tag', tag: 'no-interval' }] },
    });
    const journey = await call(
      'POST',
      '/v1/journeys',
      line('Loop without pause', [
        {
          id: 'start',
          type: 'trigger.segment',
          config: { segmentId: segment.json().id, reenterAtExit: true },
        },
        { id: 'mark', type: 'contact.update', config: { addTags: ['x'] } },
      ]),
    );
    const published = await call('POST', `/v1/journeys/${journey.json().id}/publish`);
    expect(published.statusCode).toBe(422);
    expect(JSON.stringify(published.json())).toContain('reenter_at_exit_needs_reentry');
  });

  it('re-evaluates time-dependent rules for all contacts and enrolls those that entered', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'Seats over 100',
      definition: { rules: [{ kind: 'attribute', path: 'seats', op: 'gt', value: 100 }] },
    });
    await publishSegmentJourney(segment.json().id);
    const contactId = (
      await call('POST', '/v1/contacts', { userId: 'lin', attributes: { seats: 10 } })
    ).json().id;
    // A change that bypasses the API (e.g. a journey node): only the periodic refresh sees it.
    await database.db.execute(
      `update contacts set attributes = '{"seats": 500}'::jsonb where id = '${contactId}'` as never,
    );
    const outcome = await reevaluateAllSegments(
      { db: database.db, temporal: temporal.client, taskQueue: temporal.taskQueue },
      workspace.id,
    );
    expect(outcome.enrolled).toBeGreaterThanOrEqual(1);
    await waitForTag(contactId, 'welcomed-pro');
  });

  it('refuses to delete a segment an active journey is triggered by', async () => {
    const segment = await call('POST', '/v1/segments', {
      name: 'In use',
      definition: { rules: [{ kind: 'tag', tag: 'x' }] },
    });
    await publishSegmentJourney(segment.json().id);
    const response = await call('DELETE', `/v1/segments/${segment.json().id}`);
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('segment_in_use');
  });
});
