import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { buildApp } from '../../../../engine/api/app';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { createRegistry } from '../../../../engine/automation/nodes';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { testChannelDeps, testSecretBox } from '../../../helpers/channels';
import { openTestDb } from '../../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../../helpers/temporal';

describe('templates API (Fastify inject, PGlite, Temporal dev server client)', () => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await openTestDb();
    temporal = await devServerTemporal();
    app = await buildApp({
      db: database.db,
      secretBox: testSecretBox,
      database,
      temporal: temporal.client,
      taskQueue: temporal.taskQueue,
      registry: createRegistry(),
      channels: testChannelDeps(database.db),
    });
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  async function workspace() {
    const ws = await createWorkspace(database.db, 'Templates');
    const contact = await createContact(database.db, ws.id, {
      userId: 'p',
      email: 'p@example.com',
      attributes: { first_name: '<Ada>' },
    });
    const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        payload: payload as never,
        headers: { authorization: `Bearer ${ws.secretKey}` },
      });
    return { ws, contact, call };
  }

  it('previews a template for a contact with layouts, snippets and HTML escaping', async () => {
    const { contact, call } = await workspace();
    expect(
      (
        await call('POST', '/v1/templates', {
          name: 'base',
          channel: 'layout',
          body: '',
          html: '<main>{% block content %}{% endblock %}</main>',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await call('POST', '/v1/templates', { name: 'footer', channel: 'snippet', body: '— the Acme team' }))
        .statusCode,
    ).toBe(201);
    const created = await call('POST', '/v1/templates', {
      name: 'welcome',
      channel: 'email',
      subject: 'Hi {{ contact.first_name }}',
      body: 'Hi {{ contact.first_name }} {% render "footer" %}',
      html: "{% layout 'base' %}{% block content %}<p>Hi {{ contact.first_name }}, plan {{ event.plan }}</p>{% endblock %}",
    });
    expect(created.statusCode).toBe(201);

    const preview = await call('POST', `/v1/templates/${created.json().id}/preview`, {
      contactId: contact.id,
      event: { name: 'Signed Up', properties: { plan: 'pro' } },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({
      subject: 'Hi <Ada>',
      text: 'Hi <Ada> — the Acme team',
      html: '<main><p>Hi &lt;Ada&gt;, plan pro</p></main>',
    });
  });

  it('explains an unknown variable in a preview with 422 and the part that failed', async () => {
    const { contact, call } = await workspace();
    const answer = await call('POST', '/v1/templates/preview', {
      contactId: contact.id,
      template: { subject: 'Hi {{ contact.nickname }}', body: 'x' },
    });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error).toMatchObject({ code: 'template_render_failed', field: 'subject' });
    expect(answer.json().error.message).toContain('undefined variable: contact.nickname');
  });

  it('refuses to save a template with a Liquid syntax error, naming the part', async () => {
    const { call } = await workspace();
    const answer = await call('POST', '/v1/templates', {
      name: 'bad',
      channel: 'sms',
      body: 'Hi {{ contact.first_name',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatchObject({ code: 'template_syntax', field: 'body' });
  });
});
