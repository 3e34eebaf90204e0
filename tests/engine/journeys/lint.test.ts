import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { channelSettings, events } from '../../../db/schema';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createSegment, refreshSegmentMembers } from '../../../engine/audience/segments/segments';
import { createJourney, getJourney, saveDraft } from '../../../engine/automation/journeys/journeys';
import { lintJourney } from '../../../engine/automation/journeys/lint';
import type { JourneyGraphInput, JourneyNode } from '../../../engine/automation/journeys/model';
import { createRegistry } from '../../../engine/automation/nodes';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { createTemplate } from '../../../engine/messaging/templates/templates';
import { publishJourney } from '../../../engine/operations/journey-lifecycle';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { publishGraph } from '../../helpers/fixtures';
import { devServerTemporal } from '../../helpers/temporal';

type NodeInput = Omit<JourneyNode, 'config'> & { config?: Record<string, unknown> };

/** A straight line of nodes, each leaving by `next` (or the port after a colon in `ports`). */
function line(name: string, nodes: NodeInput[], extra: Partial<JourneyGraphInput> = {}): JourneyGraphInput {
  return {
    name,
    nodes,
    edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id })),
    ...extra,
  };
}

const eventTrigger = (event = 'Signed Up'): NodeInput => ({
  id: 'start',
  type: 'trigger.event',
  config: { event },
});
const email = (id: string, template: string, extra: Record<string, unknown> = {}): NodeInput => ({
  id,
  type: 'email.send',
  config: { template, ...extra },
});
const wait = (id: string, amount: number, unit = 'hours'): NodeInput => ({
  id,
  type: 'wait.duration',
  config: { duration: { amount, unit } },
});

/** An A/B split between two emails of `template`, with these weights. */
const split = (weights: number[], template = 'hello'): JourneyGraphInput => ({
  name: 'split',
  nodes: [
    eventTrigger(),
    {
      id: 'ab',
      type: 'split.random',
      config: { branches: weights.map((weight, i) => ({ port: `p${i}`, weight })) },
    },
    email('a', template),
    email('b', template),
  ],
  edges: [
    { id: 'e0', source: 'start', target: 'ab' },
    { id: 'e1', source: 'ab', sourceHandle: 'p0', target: 'a' },
    { id: 'e2', source: 'ab', sourceHandle: 'p1', target: 'b' },
  ],
});

const codes = (problems: { code: string; severity: string; nodeId?: string }[]) =>
  problems.map((p) => `${p.severity}:${p.code}${p.nodeId ? `@${p.nodeId}` : ''}`).sort();

describe.each(databaseKinds())('journey lint against the workspace (%s)', (kind) => {
  let database: Database;
  let workspaceId: string;
  const lint = (graph: JourneyGraphInput, journeyId?: string) =>
    lintJourney(database.db, workspaceId, graph, { journeyId });

  beforeAll(async () => {
    database = await openTestDb(kind);
    workspaceId = (await createWorkspace(database.db, 'Lint')).id;
    const footer = 'Unsubscribe: {{ unsubscribe_url }}';
    await createTemplate(database.db, workspaceId, {
      name: 'hello',
      channel: 'email',
      subject: 'Hi',
      body: `Hello. ${footer}`,
    });
    await createTemplate(database.db, workspaceId, {
      name: 'bare',
      channel: 'email',
      subject: 'Hi',
      body: 'Hello.',
    });
    await createTemplate(database.db, workspaceId, {
      name: 'empty',
      channel: 'email',
      subject: 'Hi',
      body: ' ',
    });
    await createTemplate(database.db, workspaceId, { name: 'text', channel: 'sms', body: 'Hi' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('passes a journey whose template exists, has content and an unsubscribe link', async () => {
    expect(await lint(line('ok', [eventTrigger('Nobody sends this'), email('send', 'hello')]))).toEqual([]);
  });

  it('refuses a template that does not exist or is of another channel, and links to it', async () => {
    const problems = await lint(
      line('bad templates', [eventTrigger(), email('missing', 'nope'), email('wrong', 'text')]),
    );
    expect(codes(problems)).toEqual(['error:template_missing@missing', 'error:template_wrong_channel@wrong']);
    expect(problems.find((p) => p.nodeId === 'missing')?.link).toEqual({ kind: 'template', name: 'nope' });
    expect(problems.find((p) => p.nodeId === 'wrong')?.link).toMatchObject({
      kind: 'template',
      name: 'text',
    });
    expect(problems[0].field).toBe('template');
  });

  it('warns about an empty template and a marketing email with no unsubscribe path, not a transactional one', async () => {
    expect(codes(await lint(line('empty', [eventTrigger(), email('send', 'empty')])))).toEqual([
      'warning:template_empty@send',
      'warning:unsubscribe_missing@send',
    ]);
    expect(codes(await lint(line('bare', [eventTrigger(), email('send', 'bare')])))).toEqual([
      'warning:unsubscribe_missing@send',
    ]);
    expect(
      await lint(line('receipt', [eventTrigger(), email('send', 'bare', { transactional: true })])),
    ).toEqual([]);
  });

  it('refuses a segment that does not exist and warns about an empty one', async () => {
    const empty = await createSegment(database.db, workspaceId, {
      name: 'Nobody',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'none' }] },
    } as never);
    const trigger = (segmentId: string): NodeInput => ({
      id: 'start',
      type: 'trigger.segment',
      config: { segmentId },
    });
    expect(
      codes(await lint(line('no segment', [trigger('inactive-30-days'), email('send', 'hello')]))),
    ).toEqual(['error:segment_missing@start']);
    expect(codes(await lint(line('empty segment', [trigger(empty.id), email('send', 'hello')])))).toEqual([
      'warning:segment_empty@start',
    ]);
    await createContact(database.db, workspaceId, { userId: 'none-1', attributes: { plan: 'none' } });
    await refreshSegmentMembers(database.db, empty);
    expect(await lint(line('segment with members', [trigger(empty.id), email('send', 'hello')]))).toEqual([]);
  });

  it('warns about a goal event nobody sent in 30 days, not about one sent yesterday', async () => {
    const contact = await createContact(database.db, workspaceId, { userId: 'buyer' });
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
    await database.db.insert(events).values([
      {
        workspaceId,
        messageId: 'old',
        contactId: contact.id,
        type: 'track',
        name: 'Old Goal',
        timestamp: at(40),
        receivedAt: at(40),
      },
      {
        workspaceId,
        messageId: 'new',
        contactId: contact.id,
        type: 'track',
        name: 'Order Completed',
        timestamp: at(1),
        receivedAt: at(1),
      },
    ]);
    const withGoal = (event: string) =>
      line('goal', [eventTrigger(), email('send', 'hello')], { settings: { goal: { event } } });
    expect(codes(await lint(withGoal('Old Goal')))).toEqual(['warning:goal_event_unseen']);
    expect(codes(await lint(withGoal('Ordr Completed')))).toEqual(['warning:goal_event_unseen']);
    expect(await lint(withGoal('Order Completed'))).toEqual([]);
  });

  it("warns when a wait between two emails is shorter than the channel's frequency cap", async () => {
    const capped = (await createWorkspace(database.db, 'Capped')).id;
    await createTemplate(database.db, capped, {
      name: 'hello',
      channel: 'email',
      body: 'Hi {{ unsubscribe_url }}',
    });
    await database.db.insert(channelSettings).values({
      workspaceId: capped,
      channel: 'email',
      policy: { frequencyCap: { max: 1, windowHours: 24 } },
    });
    const twoEmails = (hours: number) =>
      line('two', [eventTrigger(), email('first', 'hello'), wait('wait', hours), email('second', 'hello')]);
    // 12 hours < the 24-hour window with 1 email allowed: the second email would be held back.
    const short = await lintJourney(database.db, capped, twoEmails(12));
    expect(codes(short)).toEqual(['warning:wait_shorter_than_cap@second']);
    expect(short[0].message).toContain('12 hours after');
    // 24 hours is the window itself: the first send has left it.
    expect(await lintJourney(database.db, capped, twoEmails(24))).toEqual([]);
    // The journey's own cap counts too: 1 email per 2 days.
    expect(
      codes(
        await lint({
          ...twoEmails(24),
          settings: { frequencyCap: { limit: 1, window: { amount: 2, unit: 'days' } } },
        }),
      ),
    ).toEqual(['warning:wait_shorter_than_cap@second']);
  });

  it('warns about an A/B split whose weights do not sum to 100', async () => {
    const bad = await lint(split([50, 40]));
    expect(codes(bad)).toEqual(['warning:split_weights_not_100@ab']);
    expect(bad[0].message).toContain('summing to 90');
    expect(await lint(split([70, 30]))).toEqual([]);
  });

  it('warns when another live journey enters on the same event and emails within 24 hours', async () => {
    const ws = (await createWorkspace(database.db, 'Overlap')).id;
    await createTemplate(database.db, ws, {
      name: 'hello',
      channel: 'email',
      body: 'Hi {{ unsubscribe_url }}',
    });
    const { journey } = await publishGraph(
      database.db,
      ws,
      line('Live welcome', [eventTrigger('Joined'), email('send', 'hello')]),
    );
    const mine = (event: string, delayHours: number) =>
      line('Mine', [eventTrigger(event), wait('wait', delayHours), email('send', 'hello')]);
    const overlapping = await lintJourney(database.db, ws, mine('Joined', 2));
    expect(codes(overlapping)).toEqual(['warning:entries_overlap']);
    expect(overlapping[0].link).toEqual({ kind: 'journey', id: journey.id, name: 'Live welcome' });
    // Another trigger, or the same trigger with the email two days later, do not overlap.
    expect(await lintJourney(database.db, ws, mine('Ordered', 2))).toEqual([]);
    expect(await lintJourney(database.db, ws, mine('Joined', 48))).toEqual([]);
    // A journey is never reported as overlapping itself.
    expect(await lintJourney(database.db, ws, mine('Joined', 2), { journeyId: journey.id })).toEqual([]);
  });
  it('warns when another live journey enters contacts of an overlapping segment, not a disjoint one', async () => {
    const { db } = database;
    const ws = (await createWorkspace(db, 'Segment overlap')).id;
    await createTemplate(db, ws, { name: 'hello', channel: 'email', body: 'Hi {{ unsubscribe_url }}' });
    const segment = async (name: string, path: string, value: string) => {
      const row = await createSegment(db, ws, {
        name,
        definition: { match: 'all', rules: [{ kind: 'attribute', path, op: 'eq', value }] },
      } as never);
      return row;
    };
    // Pros, the French and basic-plan contacts: one contact is a pro in France, nobody basic is either.
    const pros = await segment('Pros', 'plan', 'pro');
    const french = await segment('French', 'country', 'fr');
    const basic = await segment('Basic', 'plan', 'basic');
    await createContact(db, ws, { userId: 'pro-fr', attributes: { plan: 'pro', country: 'fr' } });
    await createContact(db, ws, { userId: 'basic-de', attributes: { plan: 'basic', country: 'de' } });
    for (const s of [pros, french, basic]) await refreshSegmentMembers(db, s);
    const entering = (segmentId: string) =>
      line('Seg', [{ id: 'start', type: 'trigger.segment', config: { segmentId } }, email('send', 'hello')]);
    const { journey } = await publishGraph(db, ws, { ...entering(pros.id), name: 'Pro welcome' });
    const overlapping = await lintJourney(db, ws, entering(french.id));
    expect(codes(overlapping)).toEqual(['warning:entries_overlap']);
    expect(overlapping[0].message).toContain('overlapping segment');
    expect(overlapping[0].link).toMatchObject({ kind: 'journey', id: journey.id });
    expect(await lintJourney(db, ws, entering(basic.id))).toEqual([]);
  });

  it('publishes a journey with warnings, and refuses one with an error, keeping the live version', async () => {
    const { db } = database;
    const ws = (await createWorkspace(db, 'Publish gate')).id;
    await createTemplate(db, ws, { name: 'hello', channel: 'email', body: 'Hi {{ unsubscribe_url }}' });
    const temporal = await devServerTemporal();
    try {
      const deps = {
        db,
        temporal: temporal.client,
        taskQueue: temporal.taskQueue,
        registry: createRegistry(),
      };
      const journey = await createJourney(db, ws, split([50, 40]));
      expect(codes(await lintJourney(db, ws, split([50, 40])))).toEqual(['warning:split_weights_not_100@ab']);
      expect(await publishJourney(deps, ws, journey.id)).toMatchObject({ version: 1 });
      await saveDraft(db, ws, journey.id, split([50, 50], 'no-such-template'));
      await expect(publishJourney(deps, ws, journey.id)).rejects.toMatchObject({
        code: 'journey_invalid',
        details: {
          problems: expect.arrayContaining([expect.objectContaining({ code: 'template_missing' })]),
        },
      });
      expect((await getJourney(db, ws, journey.id)).activeVersion).toBe(1);
    } finally {
      await temporal.close();
    }
  });
});
