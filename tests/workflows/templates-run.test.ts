import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db';
import { messages, nodeVisits, templates } from '../../db/schema';
import { getContact } from '../../engine/audience/contacts/contacts';
import { getTemplate } from '../../engine/automation/journeys/templates';
import { eventSignal } from '../../engine/automation/runs/signals';
import type { JourneyRunResult } from '../../engine/automation/runs/types';
import { pathOf, publishGraph, runToEnd, startRun, workspaceWithContact } from '../helpers/fixtures';
import { journeyStack } from '../helpers/stack';

async function seedMessageTemplates(db: Db, workspaceId: string) {
  const names = [
    'welcome-1',
    'welcome-2',
    'welcome-3',
    'birthday',
    'cart-reminder',
    'we-miss-you',
    'last-chance',
  ];
  await db.insert(templates).values(
    names.map((name) => ({
      workspaceId,
      name,
      channel: 'email',
      subject: `Hello from ${name}`,
      body: `Hi {{ contact.email }}, this is ${name}.`,
    })),
  );
}

async function messagesOf(db: Db, workflowId: string) {
  return db.select().from(messages).where(eq(messages.workflowId, workflowId)).orderBy(messages.createdAt);
}

const trigger = (name: string, properties: Record<string, unknown> = {}) => ({
  id: `evt-${name}-${Math.random()}`,
  name,
  properties,
  timestamp: new Date().toISOString(),
});

describe('shipped journey templates run end to end (real time-skipping test server, PGlite)', () => {
  const stack = journeyStack('time-skipping');

  async function setup(templateId: string, contact?: Parameters<typeof workspaceWithContact>[1]) {
    const { db } = stack;
    const fixture = await workspaceWithContact(db, contact);
    await seedMessageTemplates(db, fixture.workspace.id);
    const template = getTemplate(templateId);
    if (!template) throw new Error(`no template ${templateId}`);
    const { journey } = await publishGraph(db, fixture.workspace.id, template.graph);
    return { ...fixture, journey };
  }

  it('welcome series: three emails over seven days, in seconds', async () => {
    const { db, temporal } = stack;
    const { workspace, contact, journey } = await setup('welcome-series');
    const started = Date.now();
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: trigger('Signed Up'),
    });
    expect(result.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(60_000);
    const sent = await messagesOf(db, workflowId);
    expect(sent.map((m) => m.nodeId)).toEqual(['welcome-1', 'welcome-2', 'welcome-3']);
    expect(sent.every((m) => m.channel === 'email' && m.recipient === 'ada@example.com')).toBe(true);
    const visits = await db.select().from(nodeVisits).where(eq(nodeVisits.workflowId, workflowId));
    const enteredAt = (id: string) => visits.find((v) => v.nodeId === id)!.enteredAt.getTime();
    expect(enteredAt('welcome-3') - enteredAt('welcome-1')).toBeGreaterThanOrEqual(7 * 86_400_000);
  });

  it('welcome series stops when an order completes (the goal)', async () => {
    const { db, temporal } = stack;
    const { workspace, contact, journey } = await setup('welcome-series');
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: trigger('Signed Up'),
    });
    await handle.signal(eventSignal, trigger('Order Completed', { total: 42 }));
    const result: JourneyRunResult = await handle.result();
    expect(result.status).toBe('converted');
    expect((await messagesOf(db, workflowId)).length).toBeLessThan(3);
  });

  it('birthday greeting: sets the coupon attribute and sends the birthday email', async () => {
    const { db, temporal } = stack;
    const { workspace, contact, journey } = await setup('birthday-greeting', {
      userId: 'bday',
      email: 'bday@example.com',
      attributes: { birthday: '1990-05-17' },
    });
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
    });
    expect(result.status).toBe('completed');
    expect((await getContact(db, workspace.id, contact.id)).attributes.birthdayCoupon).toBeTruthy();
    expect((await messagesOf(db, workflowId)).map((m) => m.nodeId)).toEqual(['birthday-email']);
  });

  it('abandoned cart without an order: reminder email after 1 h, SMS after 24 h more', async () => {
    const { db, temporal } = stack;
    const { workspace, contact, journey } = await setup('abandoned-cart', {
      userId: 'cart',
      email: 'cart@example.com',
      phone: '+14155550100',
    });
    const { workflowId, result } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: trigger('Cart Abandoned', { cartUrl: 'https://shop.example/cart/1' }),
    });
    expect(result.status).toBe('completed');
    expect(await pathOf(db, workflowId)).toEqual([
      'cart-abandoned:next',
      'wait-1-hour:timeout',
      'cart-reminder:next',
      'wait-24-hours:timeout',
      'has-phone:true',
      'cart-sms:next',
      'sms-sent',
    ]);
    const sent = await messagesOf(db, workflowId);
    expect(sent.map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(sent[1].recipient).toBe('+14155550100');
  });

  it('abandoned cart with an order inside the first hour: converted, nothing sent', async () => {
    const { db, temporal } = stack;
    const { workspace, contact, journey } = await setup('abandoned-cart');
    const { workflowId, handle } = await startRun(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: trigger('Cart Abandoned'),
    });
    await handle.signal(eventSignal, trigger('Order Completed'));
    const result: JourneyRunResult = await handle.result();
    expect(result.status).toBe('converted');
    expect(await messagesOf(db, workflowId)).toHaveLength(0);
  });

  it('abandoned cart for a contact without a phone ends after the email', async () => {
    const { db, temporal } = stack;
    const { workspace, contact, journey } = await setup('abandoned-cart', {
      userId: 'nophone',
      email: 'np@example.com',
    });
    const { workflowId } = await runToEnd(db, temporal, {
      workspaceId: workspace.id,
      journeyId: journey.id,
      contactId: contact.id,
      trigger: trigger('Cart Abandoned'),
    });
    expect((await pathOf(db, workflowId)).slice(-2)).toEqual(['has-phone:false', 'no-phone']);
  });
});
