import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { createWorkspace } from '../../../engine/identity/workspaces';
import { appDeps } from '../../helpers/app';
import { openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

/**
 * Simulation through the API: the app starts its own real time-skipping test server on the
 * first simulation, with a throwaway PGlite; the workspace's own PGlite must stay untouched.
 */
describe('POST /v1/journeys/:id/simulate (real time-skipping test server, PGlite)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  let headers: Record<string, string>;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    app = await buildApp(appDeps(database, temporal));
    const workspace = await createWorkspace(database.db, 'Simulation test');
    headers = { authorization: `Bearer ${workspace.secretKey}` };
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  async function fromTemplate(template: string) {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/journeys/from-template',
      headers,
      payload: { template },
    });
    expect(created.statusCode).toBe(201);
    return created.json().id as string;
  }

  it('follows the abandoned cart through both reminders when no order comes, in simulated days', async () => {
    const id = await fromTemplate('abandoned-cart');
    const response = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${id}/simulate`,
      headers,
      payload: {
        contact: { email: 'sam@example.com', phone: '+14155550123' },
        events: [{ event: 'Cart Abandoned', at: '0', properties: { cartUrl: 'https://shop.test/c/1' } }],
      },
    });
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result.status).toBe('completed');
    expect(result.steps.map((s: any) => `${s.nodeId}:${s.port}`)).toEqual([
      'cart-abandoned:next',
      'wait-1-hour:timeout',
      'cart-reminder:next',
      'wait-24-hours:timeout',
      'has-phone:true',
      'cart-sms:next',
      'sms-sent:null',
    ]);
    const reminder = result.steps.find((s: any) => s.nodeId === 'cart-reminder');
    // One simulated hour, plus the few real milliseconds the steps took.
    expect(reminder.atMs).toBeGreaterThanOrEqual(3_600_000);
    expect(reminder.atMs).toBeLessThan(3_660_000);
    expect(result.messages.map((m: any) => [m.channel, m.recipient, m.status])).toEqual([
      ['email', 'sam@example.com', 'simulated'],
      ['sms', '+14155550123', 'simulated'],
    ]);
  });

  it('stops the abandoned cart when the order completes 30 minutes later', async () => {
    const id = await fromTemplate('abandoned-cart');
    const response = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${id}/simulate`,
      headers,
      payload: {
        contact: { email: 'sam@example.com' },
        events: [
          { event: 'Cart Abandoned', at: '0' },
          { event: 'Order Completed', at: '+30 min' },
        ],
      },
    });
    const result = response.json();
    expect(result.events).toEqual([
      { event: 'Cart Abandoned', atMs: 0, outcome: 'trigger' },
      { event: 'Order Completed', atMs: 1_800_000, outcome: 'delivered' },
    ]);
    expect(result.status).toBe('converted');
    expect(result.messages).toEqual([]);
    expect(result.steps.map((s: any) => s.nodeId)).not.toContain('cart-reminder');
  });

  it('runs the birthday greeting for a described contact and applies its contact update in the sandbox only', async () => {
    const id = await fromTemplate('birthday-greeting');
    const response = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${id}/simulate`,
      headers,
      payload: { contact: { email: 'ada@example.com', attributes: { birthday: '1990-12-10' } } },
    });
    const result = response.json();
    expect(result.status).toBe('completed');
    expect(result.steps.map((s: any) => s.nodeId)).toEqual([
      'birthday',
      'give-coupon',
      'birthday-email',
      'done',
    ]);
    expect(result.contact.attributes).toMatchObject({ birthdayCoupon: 'BDAY-15' });
    const runs = await app.inject({ method: 'GET', url: `/v1/journeys/${id}/runs`, headers });
    expect(runs.json().data).toEqual([]);
  });

  it('refuses a relative time without a unit, naming the field', async () => {
    const id = await fromTemplate('abandoned-cart');
    const response = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${id}/simulate`,
      headers,
      payload: { events: [{ event: 'Cart Abandoned', at: '30' }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'offset_unit_missing', field: 'events.0.at' });
  });

  it('answers 422 with the problems when the draft cannot be compiled', async () => {
    const id = await fromTemplate('abandoned-cart');
    const journey = (await app.inject({ method: 'GET', url: `/v1/journeys/${id}`, headers })).json();
    const draft = {
      ...journey.draft,
      nodes: journey.draft.nodes.filter((n: any) => n.id !== 'cart-abandoned'),
    };
    await app.inject({ method: 'PUT', url: `/v1/journeys/${id}`, headers, payload: draft });
    const response = await app.inject({
      method: 'POST',
      url: `/v1/journeys/${id}/simulate`,
      headers,
      payload: {},
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.problems.map((p: any) => p.code)).toContain('trigger_missing');
  });
});
