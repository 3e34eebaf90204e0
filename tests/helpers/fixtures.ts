import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { contacts, events, journeyRuns, nodeVisits, segmentMembers } from '../../db/schema';
import { type ContactInput, createContact } from '../../engine/audience/contacts/contacts';
import { createJourney, publishJourney } from '../../engine/automation/journeys/journeys';
import type { JourneyGraphInput } from '../../engine/automation/journeys/model';
import { createRegistry } from '../../engine/automation/nodes';
import type { NodeRegistry } from '../../engine/automation/nodes/registry';
import { type EnrollRequest, enrollContact } from '../../engine/automation/runs/enroll';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { createWorkspace } from '../../engine/identity/workspaces';

export async function workspaceWithContact(
  db: Db,
  contact: ContactInput = { userId: 'u-1', email: 'ada@example.com' },
) {
  const workspace = await createWorkspace(db, 'Test workspace');
  const row = await createContact(db, workspace.id, contact);
  return { workspace, contact: row };
}

export async function publishGraph(
  db: Db,
  workspaceId: string,
  graph: JourneyGraphInput,
  registry: NodeRegistry = createRegistry(),
) {
  const journey = await createJourney(db, workspaceId, graph);
  const version = await publishJourney(db, registry, workspaceId, journey.id);
  return { journey, version };
}

/** The node ids a run visited, in order, with the port it left by. */
export async function pathOf(db: Db, workflowId: string): Promise<string[]> {
  const rows = await db
    .select()
    .from(nodeVisits)
    .where(eq(nodeVisits.workflowId, workflowId))
    .orderBy(nodeVisits.enteredAt, nodeVisits.id);
  return rows.map((r) => `${r.nodeId}${r.port ? `:${r.port}` : ''}`);
}

export async function runRow(db: Db, workflowId: string) {
  const [row] = await db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));
  return row;
}

/** A straight line of nodes joined by their `next` ports. */
export function line(
  name: string,
  nodes: JourneyGraphInput['nodes'],
  settings?: JourneyGraphInput['settings'],
) {
  const edges = nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    source: nodes[i].id,
    sourceHandle: 'next',
    target: node.id,
  }));
  return { name, nodes, edges, settings } as JourneyGraphInput;
}

export function enroller(db: Db, temporal: { client: Client; taskQueue: string }) {
  return (request: EnrollRequest) =>
    enrollContact({ db, temporal: temporal.client, taskQueue: temporal.taskQueue }, request);
}

/** Enrolls a contact that must enter, and returns its run's workflow handle. */
export async function startRun(
  db: Db,
  temporal: { client: Client; taskQueue: string },
  request: EnrollRequest,
) {
  const enrolled = await enroller(db, temporal)(request);
  if (!enrolled.enrolled) throw new Error(`not enrolled: ${enrolled.reason}`);
  return { workflowId: enrolled.workflowId, handle: temporal.client.workflow.getHandle(enrolled.workflowId) };
}

/** Enrolls and waits for the run's result (time skips on the test server while waiting). */
export async function runToEnd(
  db: Db,
  temporal: { client: Client; taskQueue: string },
  request: EnrollRequest,
): Promise<{ workflowId: string; result: JourneyRunResult }> {
  const { workflowId, handle } = await startRun(db, temporal, request);
  const result: JourneyRunResult = await handle.result();
  return { workflowId, result };
}

/**
 * trigger → condition (has tag `vip`) → contact update (adds `addTag`) → email (`template`) →
 * exit; a contact without the tag exits at once. Conditions, an action batch and a send in one
 * small graph, for the batching tests and the journey throughput benchmark.
 */
export function vipWelcomeGraph(name: string, addTag: string, template = 'welcome') {
  return {
    name,
    nodes: [
      { id: 'start', type: 'trigger.manual', config: {} },
      { id: 'vip', type: 'branch.condition', config: { conditions: [{ kind: 'tag', tag: 'vip' }] } },
      { id: 'tag', type: 'contact.update', config: { addTags: [addTag] } },
      { id: 'mail', type: 'email.send', config: { template } },
      { id: 'done', type: 'exit', config: {} },
      { id: 'skip', type: 'exit', config: {} },
    ],
    edges: [
      { id: 'a', source: 'start', target: 'vip' },
      { id: 'b', source: 'vip', sourceHandle: 'true', target: 'tag' },
      { id: 'c', source: 'vip', sourceHandle: 'false', target: 'skip' },
      { id: 'd', source: 'tag', target: 'mail' },
      { id: 'e', source: 'mail', sourceHandle: 'next', target: 'done' },
    ],
  };
}

/** The user ids of a segment's members, sorted. */
export async function segmentMemberUserIds(db: Db, segmentId: string): Promise<(string | null)[]> {
  const rows = await db
    .select({ userId: contacts.externalId })
    .from(segmentMembers)
    .innerJoin(contacts, eq(contacts.id, segmentMembers.contactId))
    .where(eq(segmentMembers.segmentId, segmentId));
  return rows.map((row) => row.userId).sort();
}

/**
 * Five shoppers' past orders (tea with cups three times of four, honey twice, a kettle alone) and
 * Ada's one order of tea today, as `Order Completed` events: tea ⇒ cups holds, so Ada, who never
 * bought cups, is suggested cups. Returns Ada's contact id.
 */
export async function teaShopOrders(db: Db, workspaceId: string): Promise<string> {
  const baskets = [['tea', 'cups'], ['tea', 'cups'], ['tea', 'cups', 'honey'], ['kettle'], ['tea', 'honey']];
  const rows: (typeof events.$inferInsert)[] = [];
  for (const [i, basket] of baskets.entries()) {
    const c = await createContact(db, workspaceId, { userId: `c${i}` });
    rows.push({
      workspaceId,
      contactId: c.id,
      messageId: `o${i}`,
      type: 'track',
      name: 'Order Completed',
      properties: { total: 20 + i, products: basket.map((product_id) => ({ product_id })) },
      timestamp: new Date(Date.now() - (i + 1) * 86_400_000),
    });
  }
  const ada = (await createContact(db, workspaceId, { userId: 'ada', email: 'ada@example.com' })).id;
  rows.push({
    workspaceId,
    contactId: ada,
    messageId: 'ada',
    type: 'track',
    name: 'Order Completed',
    properties: { total: 99, products: [{ product_id: 'tea' }] },
    timestamp: new Date(),
  });
  await db.insert(events).values(rows);
  return ada;
}
