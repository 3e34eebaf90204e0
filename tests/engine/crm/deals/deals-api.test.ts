import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { auditLog, deals, events, outbox } from '../../../../db/schema';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { type ApiStack, apiStack, bearer } from '../../../helpers/app';
import { databaseKinds } from '../../../helpers/databases';
import { identityApp, member, signIn } from '../../identity/identity-app';

describe.each(databaseKinds())('deals API (%s, Fastify inject, real Temporal dev server)', (kind) => {
  let database: Database;
  let stack: ApiStack;
  let app: FastifyInstance;
  let workspace: NewWorkspace;
  let other: NewWorkspace;
  let ada: { id: string };
  let bob: { id: string };
  let salesUser: { id: string; email: string };

  const call = (method: string, url: string, payload?: unknown, key = workspace.secretKey) =>
    app.inject({ method: method as never, url, payload: payload as never, headers: bearer(key) });

  const salesPipeline = {
    name: 'Sales',
    stages: [
      { name: 'Lead', winProbability: 10 },
      { name: 'Proposal', winProbability: 50 },
      { name: 'Won', closedWon: true },
      { name: 'Lost', closedLost: true },
    ],
  };

  beforeAll(async () => {
    stack = await apiStack({ kind, app: identityApp });
    ({ database, app } = stack);
    workspace = await createWorkspace(database.db, 'Deals');
    other = await createWorkspace(database.db, 'Other');
    ada = await createContact(database.db, workspace.id, { userId: 'ada', email: 'ada@example.com' });
    bob = await createContact(database.db, workspace.id, { userId: 'bob', email: 'bob@example.com' });
    salesUser = await member(database, workspace.id, 'sales');
  });
  afterAll(() => stack?.close());

  async function newPipeline(name: string) {
    const response = await call('POST', '/v1/pipelines', { ...salesPipeline, name });
    expect(response.statusCode).toBe(201);
    return response.json() as { id: string; stages: { id: string; name: string; winProbability: number }[] };
  }

  async function dealEvents(contactId: string) {
    return database.db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, workspace.id), eq(events.contactId, contactId)))
      .orderBy(events.timestamp, events.receivedAt);
  }

  it('creates a pipeline with ordered stages; closed stages carry 100 / 0 % probability', async () => {
    const pipeline = await newPipeline('Ordered');
    expect(pipeline.stages.map((s) => [s.name, s.winProbability])).toEqual([
      ['Lead', 10],
      ['Proposal', 50],
      ['Won', 100],
      ['Lost', 0],
    ]);
    const listed = await call('GET', '/v1/pipelines');
    expect(listed.json().data.map((p: { name: string }) => p.name)).toContain('Ordered');
  });

  it('refuses duplicate stage names and won-and-lost stages, naming the stage', async () => {
    const dup = await call('POST', '/v1/pipelines', {
      name: 'Dup',
      stages: [{ name: 'A' }, { name: 'a' }],
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error.field).toBe('stages.1.name');
    const both = await call('POST', '/v1/pipelines', {
      name: 'Both',
      stages: [{ name: 'A', closedWon: true, closedLost: true }],
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.field).toBe('stages.0.closedLost');
    const names = (await call('GET', '/v1/pipelines')).json().data.map((p: { name: string }) => p.name);
    expect(names).not.toContain('Dup');
    expect(names).not.toContain('Both');
  });

  it('creates a deal in the first stage with a "Deal Created" event on each contact, through the outbox', async () => {
    const pipeline = await newPipeline('Created');
    const response = await call('POST', '/v1/deals', {
      title: 'Ada & Bob renewal',
      pipelineId: pipeline.id,
      value: 1200.5,
      currency: 'EUR',
      ownerUserId: salesUser.id,
      contactIds: [ada.id, bob.id],
      expectedCloseDate: '2027-01-15',
    });
    expect(response.statusCode).toBe(201);
    const deal = response.json();
    expect(deal).toMatchObject({
      stageId: pipeline.stages[0].id,
      stageName: 'Lead',
      value: 1200.5,
      status: 'open',
      expectedCloseDate: '2027-01-15',
      owner: { userId: salesUser.id, email: salesUser.email },
    });
    expect(deal.contacts.map((c: { id: string }) => c.id).sort()).toEqual([ada.id, bob.id].sort());
    for (const contact of [ada, bob]) {
      const created = (await dealEvents(contact.id)).filter(
        (e) => e.name === 'Deal Created' && e.properties.dealId === deal.id,
      );
      expect(created).toHaveLength(1);
      expect(created[0].messageId).toBe(`deal:${deal.id}:created:${contact.id}`);
      expect(created[0].properties).toMatchObject({
        stage: 'Lead',
        value: 1200.5,
        currency: 'EUR',
        status: 'open',
      });
      const queued = await database.db.select().from(outbox).where(eq(outbox.eventId, created[0].id));
      expect(queued).toHaveLength(1);
    }
  });

  it('moves a deal: history with timestamps, a "Deal Stage Changed" event, won status on a closed-won stage', async () => {
    const pipeline = await newPipeline('Moves');
    const deal = (
      await call('POST', '/v1/deals', {
        title: 'Move me',
        pipelineId: pipeline.id,
        value: 300,
        contactIds: [ada.id],
      })
    ).json();
    const toProposal = await call('POST', `/v1/deals/${deal.id}/stage`, { stageId: pipeline.stages[1].id });
    expect(toProposal.statusCode).toBe(200);
    expect(toProposal.json()).toMatchObject({ stageName: 'Proposal', status: 'open', closedAt: null });
    const again = await call('POST', `/v1/deals/${deal.id}/stage`, { stageId: pipeline.stages[1].id });
    expect(again.statusCode).toBe(200);
    const won = await call('PATCH', `/v1/deals/${deal.id}`, { stageId: pipeline.stages[2].id, value: 350 });
    expect(won.statusCode).toBe(200);
    expect(won.json()).toMatchObject({ stageName: 'Won', status: 'won', value: 350 });
    expect(won.json().closedAt).not.toBeNull();

    const history = (await call('GET', `/v1/deals/${deal.id}/history`)).json().data;
    expect(history.map((h: { stageName: string }) => h.stageName)).toEqual(['Lead', 'Proposal', 'Won']);
    expect(history[0].leftAt).toBe(history[1].enteredAt);
    expect(history[1].fromStageId).toBe(pipeline.stages[0].id);
    expect(history[2].leftAt).toBeNull();

    const changes = (await dealEvents(ada.id)).filter(
      (e) => e.name === 'Deal Stage Changed' && e.properties.dealId === deal.id,
    );
    // The repeated move to Proposal changed nothing, so two events: Lead → Proposal, Proposal → Won.
    expect(changes.map((e) => [e.properties.previousStage, e.properties.stage, e.properties.status])).toEqual(
      [
        ['Lead', 'Proposal', 'open'],
        ['Proposal', 'Won', 'won'],
      ],
    );
    expect(changes[1].properties).toMatchObject({ value: 350, currency: 'EUR', pipelineId: pipeline.id });
  });

  it('refuses a stage of another pipeline with 400 naming stageId, and changes nothing', async () => {
    const first = await newPipeline('First');
    const second = await newPipeline('Second');
    const deal = (
      await call('POST', '/v1/deals', { title: 'Stay', pipelineId: first.id, contactIds: [bob.id] })
    ).json();
    const before = (await dealEvents(bob.id)).length;
    const moved = await call('POST', `/v1/deals/${deal.id}/stage`, { stageId: second.stages[1].id });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error).toMatchObject({ code: 'stage_not_in_pipeline', field: 'stageId' });
    // The patch also sets a title: refused as a whole, the title stays.
    const patched = await call('PATCH', `/v1/deals/${deal.id}`, {
      title: 'Changed',
      stageId: second.stages[1].id,
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.field).toBe('stageId');
    const after = (await call('GET', `/v1/deals/${deal.id}`)).json();
    expect(after).toMatchObject({ title: 'Stay', stageId: first.stages[0].id });
    expect((await call('GET', `/v1/deals/${deal.id}/history`)).json().data).toHaveLength(1);
    expect((await dealEvents(bob.id)).length).toBe(before);
    const created = await call('POST', '/v1/deals', {
      title: 'Crossed',
      pipelineId: first.id,
      stageId: second.stages[0].id,
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.field).toBe('stageId');
  });

  it('refuses an owner who is not a member, an unknown contact and a bad currency, writing nothing', async () => {
    const pipeline = await newPipeline('Owners');
    const outsider = await member(database, other.id, 'sales');
    const count = async () =>
      (await database.db.select().from(deals).where(eq(deals.pipelineId, pipeline.id))).length;
    const owner = await call('POST', '/v1/deals', {
      title: 'X',
      pipelineId: pipeline.id,
      ownerUserId: outsider.id,
    });
    expect(owner.statusCode).toBe(400);
    expect(owner.json().error).toMatchObject({ code: 'owner_not_member', field: 'ownerUserId' });
    const contact = await call('POST', '/v1/deals', {
      title: 'X',
      pipelineId: pipeline.id,
      contactIds: [ada.id, '00000000-0000-4000-8000-000000000000'],
    });
    expect(contact.statusCode).toBe(400);
    expect(contact.json().error.field).toBe('contactIds.1');
    const currency = await call('POST', '/v1/deals', {
      title: 'X',
      pipelineId: pipeline.id,
      currency: 'euro',
    });
    expect(currency.statusCode).toBe(400);
    expect(currency.json().error.field).toBe('body.currency');
    expect(await count()).toBe(0);
    const deal = (await call('POST', '/v1/deals', { title: 'Mine', pipelineId: pipeline.id })).json();
    const patch = await call('PATCH', `/v1/deals/${deal.id}`, { ownerUserId: outsider.id });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.field).toBe('ownerUserId');
  });

  it('keeps notes, refuses removing a stage that holds deals, and deletes empty pipelines only', async () => {
    const pipeline = await newPipeline('Notes');
    const deal = (await call('POST', '/v1/deals', { title: 'Noted', pipelineId: pipeline.id })).json();
    const note = await call('POST', `/v1/deals/${deal.id}/notes`, { body: 'Called, wants a quote' });
    expect(note.statusCode).toBe(201);
    expect(
      (await call('GET', `/v1/deals/${deal.id}/notes`)).json().data.map((n: { body: string }) => n.body),
    ).toEqual(['Called, wants a quote']);
    const empty = await call('POST', `/v1/deals/${deal.id}/notes`, { body: '  ' });
    expect(empty.statusCode).toBe(400);

    const withoutLead = await call('PUT', `/v1/pipelines/${pipeline.id}`, {
      name: 'Notes',
      stages: pipeline.stages.slice(1).map((s) => ({ id: s.id, name: s.name })),
    });
    expect(withoutLead.statusCode).toBe(409);
    expect(withoutLead.json().error).toMatchObject({ code: 'stage_has_deals', field: 'stages' });
    const reordered = await call('PUT', `/v1/pipelines/${pipeline.id}`, {
      name: 'Notes renamed',
      stages: [
        { id: pipeline.stages[1].id, name: 'Lead', winProbability: 20 },
        { id: pipeline.stages[0].id, name: 'Proposal', winProbability: 60 },
        { name: 'Negotiation', winProbability: 80 },
        { id: pipeline.stages[2].id, name: 'Won', closedWon: true },
      ],
    });
    expect(reordered.statusCode).toBe(200);
    expect(reordered.json().stages.map((s: { name: string }) => s.name)).toEqual([
      'Lead',
      'Proposal',
      'Negotiation',
      'Won',
    ]);
    expect((await call('DELETE', `/v1/pipelines/${pipeline.id}`)).statusCode).toBe(409);
    expect((await call('DELETE', `/v1/deals/${deal.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/pipelines/${pipeline.id}`)).statusCode).toBe(204);
  });

  it('lets sales work on deals, refuses support and marketers, and audits the changes', async () => {
    const pipeline = await newPipeline('Roles');
    const sales = await signIn(app, salesUser.email);
    const created = await sales.call('POST', '/v1/deals', { title: 'By sales', pipelineId: pipeline.id });
    expect(created.statusCode).toBe(201);
    for (const role of ['support', 'marketer'] as const) {
      const user = await member(database, workspace.id, role);
      const browser = await signIn(app, user.email);
      expect((await browser.call('GET', '/v1/deals')).statusCode).toBe(403);
      expect(
        (await browser.call('POST', '/v1/deals', { title: 'No', pipelineId: pipeline.id })).statusCode,
      ).toBe(403);
    }
    const entries = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspace.id), eq(auditLog.objectId, created.json().id)));
    expect(entries.map((e) => e.action)).toEqual(['deal.create']);
    const stay = (await sales.call('GET', `/v1/deals/${created.json().id}/history`)).json().data[0];
    expect(stay.changedByUserId).toBe(salesUser.id);
  });

  it('never shows another workspace its deals', async () => {
    const pipeline = await newPipeline('Private');
    const deal = (await call('POST', '/v1/deals', { title: 'Private', pipelineId: pipeline.id })).json();
    expect((await call('GET', `/v1/deals/${deal.id}`, undefined, other.secretKey)).statusCode).toBe(404);
    expect((await call('GET', `/v1/pipelines/${pipeline.id}`, undefined, other.secretKey)).statusCode).toBe(
      404,
    );
    const foreign = await call(
      'POST',
      '/v1/deals',
      { title: 'Steal', pipelineId: pipeline.id },
      other.secretKey,
    );
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.field).toBe('pipelineId');
    expect((await call('GET', '/v1/deals', undefined, other.secretKey)).json().data).toEqual([]);
  });
});
