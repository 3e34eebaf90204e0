import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { events, workspaceSecrets } from '../../../db/schema';
import { getContact } from '../../../engine/audience/contacts/contacts';
import { validateJourney } from '../../../engine/automation/journeys/validate';
import { createRegistry } from '../../../engine/automation/nodes';
import type { NodeRegistry } from '../../../engine/automation/nodes/registry';
import type { JourneyRunResult } from '../../../engine/automation/runs/types';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { loadPlugins } from '../../../engine/plugins/load-plugins';
import { defineNode, nextPort, z } from '../../../engine/sdk';
import { exampleTickets } from '../../../examples/crm-create-ticket/create-ticket';
import { bearer, testApp } from '../../helpers/app';
import { openTestDb } from '../../helpers/databases';
import { pathOf } from '../../helpers/fixtures';
import { devServerTemporal, startWorker, type TemporalHarness } from '../../helpers/temporal';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const examples = ['examples/crm-create-ticket', 'examples/score-lead', 'examples/http-enrich'];

/** Records what later nodes see of earlier outputs: `ctx.steps` is what Liquid renders as `steps`. */
const echoSteps = defineNode({
  type: 'fixture.echo-steps',
  version: 1,
  kind: 'action',
  title: 'Echo steps',
  category: 'Fixtures',
  config: z.object({}),
  ports: [nextPort],
  async execute(_config, ctx) {
    await ctx.updateContact({ set: { seenSteps: ctx.steps } });
    return {};
  },
});

/** An enrichment API on 127.0.0.1 that fails once with 503 for `flaky@`, and 404s `unknown@`. */
function enrichmentApi() {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    const email = new URL(req.url ?? '/', 'http://localhost').searchParams.get('email') ?? '';
    calls.push(email);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer s3cret-token') return reply(401, { error: 'bad token' });
    if (email.startsWith('unknown')) return reply(404, { error: 'unknown person' });
    if (email.startsWith('flaky') && calls.filter((c) => c === email).length === 1) {
      return reply(503, { error: 'try again' });
    }
    return reply(200, { company: { name: 'Acme' }, title: 'CTO' });
  });
  return { server, calls };
}

describe('example plugins in journeys (real Temporal dev server, PGlite, local HTTP API)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let registry: NodeRegistry;
  let app: FastifyInstance;
  let stopWorker: () => Promise<void>;
  let workspace: NewWorkspace;
  const api = enrichmentApi();
  let apiUrl: string;

  beforeAll(async () => {
    process.env.WAYLINE_SECRET_KEY ??= randomBytes(32).toString('hex');
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/person`;
    database = await openTestDb();
    temporal = await devServerTemporal();
    const plugins = await loadPlugins(examples, { root, discover: false });
    registry = createRegistry([...plugins.nodes, { definition: echoSteps, source: 'test' }]);
    ({ stop: stopWorker } = await startWorker(temporal, database.db, registry));
    app = await testApp(database, temporal, registry);
    workspace = await createWorkspace(database.db, 'Plugins');
  });
  afterAll(async () => {
    await app?.close();
    await stopWorker?.();
    await temporal?.close();
    await database?.close();
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  });

  const auth = () => bearer(workspace.secretKey);

  it('lists each example node in the palette with the JSON Schema of its config', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/node-types', headers: auth() });
    expect(response.statusCode).toBe(200);
    const types = response.json().data as { type: string; ports: { id: string }[]; configSchema: any }[];
    const byType = new Map(types.map((t) => [t.type, t]));

    const ticket = byType.get('crm.create-ticket')!;
    expect(ticket.configSchema.properties.subject.type).toBe('string');
    expect(ticket.configSchema.required).toContain('subject');
    expect(ticket.configSchema.properties.priority.enum).toEqual(['low', 'normal', 'high', 'urgent']);
    const score = byType.get('score.lead')!;
    expect(score.configSchema.properties.windowDays).toMatchObject({ type: 'integer', default: 30 });
    expect(score.ports.map((p) => p.id)).toEqual(['next', 'hot']);
    const enrich = byType.get('http.enrich')!;
    expect(enrich.configSchema.properties.url).toMatchObject({ type: 'string', format: 'uri' });
    expect(enrich.ports.map((p) => p.id)).toEqual(['next', 'error']);
  });

  const graph = (url: string) => ({
    name: 'Enrich, score, ticket',
    nodes: [
      { id: 'start', type: 'trigger.manual', config: {} },
      {
        id: 'enrich',
        type: 'http.enrich',
        config: {
          url,
          tokenSecret: 'ENRICH_TOKEN',
          fields: { 'company.name': 'company', title: 'jobTitle' },
        },
      },
      { id: 'score', type: 'score.lead', config: { hotThreshold: 50 } },
      {
        id: 'isAcme',
        type: 'branch.condition',
        config: {
          conditions: [{ kind: 'step', nodeId: 'enrich', path: 'company', op: 'eq', value: 'Acme' }],
        },
      },
      { id: 'ticket', type: 'crm.create-ticket', config: { subject: 'Call this lead', priority: 'high' } },
      { id: 'echo', type: 'fixture.echo-steps', config: {} },
      { id: 'failed', type: 'contact.update', config: { addTags: ['enrichment-failed'] } },
    ],
    edges: [
      { id: 'e1', source: 'start', sourceHandle: 'next', target: 'enrich' },
      { id: 'e2', source: 'enrich', sourceHandle: 'next', target: 'score' },
      { id: 'e3', source: 'enrich', sourceHandle: 'error', target: 'failed' },
      { id: 'e4', source: 'score', sourceHandle: 'next', target: 'isAcme' },
      { id: 'e5', source: 'isAcme', sourceHandle: 'true', target: 'ticket' },
      { id: 'e6', source: 'ticket', sourceHandle: 'next', target: 'echo' },
    ],
  });

  async function publishAndRun(contacts: { userId: string; email: string }[]) {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: auth(),
      payload: graph(apiUrl),
    });
    expect(created.statusCode).toBe(201);
    const journeyId = created.json().id as string;
    const published = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${journeyId}/publish`,
      headers: auth(),
    });
    expect(published.statusCode).toBe(201);
    const runs = [];
    for (const input of contacts) {
      const contact = await app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: auth(),
        payload: input,
      });
      expect(contact.statusCode).toBe(201);
      runs.push({ contactId: contact.json().id as string });
    }
    return { journeyId, version: published.json(), runs };
  }

  async function enrollAndWait(journeyId: string, contactId: string) {
    const enrolled = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${journeyId}/enroll`,
      headers: auth(),
      payload: { contactIds: [contactId] },
    });
    const [result] = enrolled.json().data;
    expect(result.enrolled).toBe(true);
    const outcome: JourneyRunResult = await temporal.client.workflow.getHandle(result.workflowId).result();
    return { workflowId: result.workflowId as string, outcome };
  }

  it('validates a journey that uses all three example nodes, with the secret referenced by name only', () => {
    const result = validateJourney(graph('https://enrich.example.com/person'), registry);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('runs the examples in a real run: retried 5xx, secret by name, outputs read by later nodes', async () => {
    const secret = await app.inject({
      method: 'PUT',
      url: '/v1/secrets/ENRICH_TOKEN',
      headers: auth(),
      payload: { value: 's3cret-token' },
    });
    expect(secret.statusCode).toBe(200);
    const { journeyId, version, runs } = await publishAndRun([
      { userId: 'flaky-1', email: 'flaky@example.com' },
    ]);
    expect(version.plan.nodes.enrich.version).toBe(1);
    expect(JSON.stringify(version)).not.toContain('s3cret-token');
    const [{ contactId }] = runs;
    for (const n of [1, 2, 3]) {
      await database.db.insert(events).values({
        workspaceId: workspace.id,
        messageId: `demo-${contactId}-${n}`,
        contactId,
        type: 'track',
        name: 'Demo Requested',
        timestamp: new Date(),
      });
    }

    const { workflowId, outcome } = await enrollAndWait(journeyId, contactId);

    expect(outcome.status).toBe('completed');
    expect(await pathOf(database.db, workflowId)).toEqual([
      'start:next',
      'enrich:next',
      'score:hot',
      'isAcme:true',
      'ticket:next',
      'echo:next',
    ]);
    expect(api.calls.filter((email) => email === 'flaky@example.com')).toHaveLength(2);
    const contact = await getContact(database.db, workspace.id, contactId);
    expect(contact.attributes).toMatchObject({ company: 'Acme', jobTitle: 'CTO', leadScore: 75 });
    const [ticket] = await database.db
      .select()
      .from(exampleTickets)
      .where(eq(exampleTickets.contactId, contactId));
    expect(ticket).toMatchObject({ subject: 'Call this lead', priority: 'high', workspaceId: workspace.id });
    expect(contact.attributes.openTicketId).toBe(ticket.id);
    expect(contact.attributes.seenSteps).toEqual({
      enrich: { enriched: true, company: 'Acme', jobTitle: 'CTO' },
      score: { score: 75, hot: true, events: 3 },
      ticket: { ticketId: ticket.id, priority: 'high', queue: 'support' },
    });
    const [stored] = await database.db.select().from(workspaceSecrets);
    expect(stored.sealedValue).not.toContain('s3cret-token');
  });

  it('takes the error port at once when the API answers 4xx', async () => {
    const { journeyId, runs } = await publishAndRun([{ userId: 'unknown-1', email: 'unknown@example.com' }]);
    const [{ contactId }] = runs;

    const { workflowId, outcome } = await enrollAndWait(journeyId, contactId);

    expect(outcome.status).toBe('completed');
    expect(await pathOf(database.db, workflowId)).toEqual(['start:next', 'enrich:error', 'failed:next']);
    expect(api.calls.filter((email) => email === 'unknown@example.com')).toHaveLength(1);
    const contact = await getContact(database.db, workspace.id, contactId);
    expect(contact.tags).toContain('enrichment-failed');
    expect(contact.attributes.company).toBeUndefined();
  });
});
