import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { createContact } from '../../../../engine/audience/contacts/contacts';
import { closeChannelDeps } from '../../../../engine/messaging/channels/deps';
import { startSmtpSink } from '../../../connectors/peers';
import { databaseKinds } from '../../../helpers/databases';
import { line, publishGraph } from '../../../helpers/fixtures';

import { messagingApi, workspaceCaller } from '../messaging-api';

describe.each(databaseKinds())('templates API on %s (Fastify inject, Temporal dev server client)', (kind) => {
  const api = messagingApi(kind);

  async function workspace() {
    const { ws, call } = await workspaceCaller(api, 'Templates');
    const contact = await createContact(api.database.db, ws.id, {
      userId: 'p',
      email: 'p@example.com',
      attributes: { first_name: '<Ada>' },
    });
    return { ws, contact, call };
  }

  it('previews a template for a contact with layouts, snippets and HTML escaping', async () => {
    const { contact, call } = await workspace();
    const base = await call('POST', '/v1/templates', {
      name: 'base',
      channel: 'layout',
      body: '',
      html: '<main>{% block content %}{% endblock %}</main>',
    });
    expect(base.statusCode).toBe(201);
    const footer = await call('POST', '/v1/templates', {
      name: 'footer',
      channel: 'snippet',
      body: '— the Acme team',
    });
    expect(footer.statusCode).toBe(201);
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

    // A changed snippet and layout show in the next render; the same template renders each event's own values.
    expect(
      (
        await call('PUT', `/v1/templates/${footer.json().id}`, {
          name: 'footer',
          channel: 'snippet',
          body: '— Acme',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await call('PUT', `/v1/templates/${base.json().id}`, {
          name: 'base',
          channel: 'layout',
          body: '',
          html: '<article>{% block content %}{% endblock %}</article>',
        })
      ).statusCode,
    ).toBe(200);
    const again = await call('POST', `/v1/templates/${created.json().id}/preview`, {
      contactId: contact.id,
      event: { name: 'Signed Up', properties: { plan: 'team' } },
    });
    expect(again.json()).toEqual({
      subject: 'Hi <Ada>',
      text: 'Hi <Ada> — Acme',
      html: '<article><p>Hi &lt;Ada&gt;, plan team</p></article>',
    });
  });

  it('explains an unknown variable in a preview with 422 and the part that failed', async () => {
    const { contact, call } = await workspace();
    const answer = await call('POST', '/v1/templates/preview', {
      contactId: contact.id,
      template: { subject: 'Hi {{ contact.nickname }}', body: 'x' },
    });
    expect(answer.statusCode).toBe(422);
    // "Hi {{ contact.nickname }}": the variable's name starts at column 7 of line 1.
    expect(answer.json().error).toMatchObject({
      code: 'template_render_failed',
      field: 'subject',
      line: 1,
      column: 7,
    });
    expect(answer.json().error.message).toContain('undefined variable: contact.nickname');
  });

  it('refuses to save a template with a Liquid syntax error, naming the part, line and column', async () => {
    const { call } = await workspace();
    const answer = await call('POST', '/v1/templates', {
      name: 'bad',
      channel: 'sms',
      body: 'Hi there,\n  your code is {{ contact.first_name',
    });
    expect(answer.statusCode).toBe(400);
    // The unclosed output starts on line 2 at column 16 ("  your code is " is 15 characters).
    expect(answer.json().error).toMatchObject({
      code: 'template_syntax',
      field: 'body',
      line: 2,
      column: 16,
    });
    expect(answer.json().error.message).toContain('body line 2, column 16');
    expect((await call('GET', '/v1/templates')).json().data).toEqual([]);

    const problems = await call('POST', '/v1/templates/validate', {
      subject: 'ok',
      html: '<p>\n{% if contact.vip %}\nVIP</p>',
    });
    expect(problems.json().problems).toEqual([
      { part: 'html', line: 2, column: 1, message: expect.stringContaining('not closed') },
    ]);
  });

  it('compiles MJML on save into responsive HTML and keeps the MJML source', async () => {
    const { contact, call } = await workspace();
    const mjml =
      '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>';
    const created = await call('POST', '/v1/templates', {
      name: 'mjml welcome',
      channel: 'email',
      subject: 'Welcome',
      preheader: 'Your account is ready',
      body: 'Hi {{ contact.first_name }}',
      mjml,
      tags: ['onboarding'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().mjml).toBe(mjml);
    expect(created.json().html).toContain('@media only screen and (min-width:480px)');
    expect(created.json().html).toContain('Hi {{ contact.first_name }}');
    const preview = await call('POST', `/v1/templates/${created.json().id}/preview`, {
      contactId: contact.id,
    });
    expect(preview.json().html).toContain('Hi &lt;Ada&gt;');
    expect(preview.json().preheader).toBe('Your account is ready');

    const broken = await call('POST', '/v1/templates', {
      name: 'broken mjml',
      channel: 'email',
      body: 'x',
      mjml: '<mjml><mj-body>\n<mj-section><mj-column><mj-bogus/></mj-column></mj-section></mj-body></mjml>',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatchObject({ code: 'template_mjml', field: 'mjml', line: 2 });
  });

  it('lists with search, channel and tag filters', async () => {
    const { call } = await workspace();
    for (const t of [
      { name: 'Spring sale', channel: 'email', body: 'Sale', subject: 'Spring deals', tags: ['promo'] },
      { name: 'OTP code', channel: 'sms', body: 'Your code', tags: ['transactional'] },
      { name: 'Promo push', channel: 'push', body: 'Spring is here', tags: ['promo'] },
    ]) {
      expect((await call('POST', '/v1/templates', t)).statusCode).toBe(201);
    }
    const names = async (query: string) =>
      (await call('GET', `/v1/templates${query}`)).json().data.map((t: { name: string }) => t.name);
    expect(await names('?search=spring')).toEqual(['Promo push', 'Spring sale']);
    expect(await names('?channel=sms')).toEqual(['OTP code']);
    expect(await names('?tag=promo')).toEqual(['Promo push', 'Spring sale']);
    expect(await names('?tag=promo&channel=email')).toEqual(['Spring sale']);
    expect(await names('?search=100%25')).toEqual([]);
    expect((await call('GET', '/v1/templates?channel=fax')).statusCode).toBe(400);
  });

  it('keeps every version with who saved it, and reverts by saving an old one as the newest', async () => {
    const { call } = await workspace();
    const created = (
      await call('POST', '/v1/templates', { name: 'note', channel: 'sms', body: 'one' })
    ).json();
    const saved = await call('PUT', `/v1/templates/${created.id}`, {
      name: 'note',
      channel: 'sms',
      body: 'two',
    });
    expect(saved.json()).toMatchObject({ version: 2, body: 'two' });
    const bad = await call('PUT', `/v1/templates/${created.id}`, {
      name: 'note',
      channel: 'sms',
      body: '{% if %}',
    });
    expect(bad.statusCode).toBe(400);

    const versions = (await call('GET', `/v1/templates/${created.id}/versions`)).json().data;
    expect(
      versions.map((v: { version: number; body: string; action: string }) => [v.version, v.body, v.action]),
    ).toEqual([
      [2, 'two', 'update'],
      [1, 'one', 'create'],
    ]);
    expect(versions[0].changedBy).toMatch(/^wl_/);

    const reverted = await call('POST', `/v1/templates/${created.id}/versions/1/revert`);
    expect(reverted.json()).toMatchObject({ version: 3, body: 'one' });
    const v3 = (await call('GET', `/v1/templates/${created.id}/versions/3`)).json();
    expect(v3).toMatchObject({ action: 'revert', revertedFrom: 1, body: 'one' });
    expect((await call('GET', `/v1/templates/${created.id}/versions/9`)).statusCode).toBe(404);
  });

  it('previews for sample JSON and counts SMS segments of the rendered text', async () => {
    const { call } = await workspace();
    const answer = await call('POST', '/v1/templates/preview', {
      contact: { first_name: 'Zoë', attributes: { city: 'Kraków' } },
      template: { channel: 'sms', body: 'Hi {{ contact.first_name }} from {{ contact.city }}' },
    });
    expect(answer.statusCode).toBe(200);
    // "Hi Zoë from Kraków": ë is not GSM-7 → UCS-2, 18 characters, 70 − 18 = 52 left.
    expect(answer.json()).toEqual({
      text: 'Hi Zoë from Kraków',
      sms: { encoding: 'UCS-2', characters: 18, units: 18, segments: 1, perSegment: 70, remaining: 52 },
    });
    const missing = await call('POST', '/v1/templates/preview', { template: { body: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.field).toBe('contactId');
  });

  it('suggests contact attributes, event properties and snippets', async () => {
    const { call } = await workspace();
    await call('POST', '/v1/templates', { name: 'sig', channel: 'snippet', body: 'Bye' });
    const fields = (await call('GET', '/v1/templates/fields')).json();
    expect(fields.contactAttributes).toEqual(['first_name']);
    expect(fields.snippets).toEqual(['sig']);
    expect(fields.builtIn).toContain('unsubscribe_url');
  });

  it('sends a test through the SMTP provider, and shows the provider reason when it refuses the login', async () => {
    const { ws, contact, call } = await workspace();
    const sink = await startSmtpSink();
    const refusing = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, done) => done(new Error('Invalid username or password')),
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const template = {
        name: 'welcome',
        channel: 'email',
        subject: 'Hi {{ contact.first_name }}',
        body: 'Hi {{ contact.first_name }}',
        html: '<p>Hi {{ contact.first_name }}</p>',
      };
      const captured = await call('POST', '/v1/templates/test', {
        to: 'me@acme.test',
        template,
        contactId: contact.id,
      });
      expect(captured.json()).toMatchObject({ provider: 'dev-outbox', captured: true });

      expect(
        (
          await call('PUT', '/v1/channels/email', {
            provider: 'smtp',
            config: { host: '127.0.0.1', port: sink.port, from: 'Acme <news@acme.test>' },
          })
        ).statusCode,
      ).toBe(200);
      const sent = await call('POST', '/v1/templates/test', {
        to: 'me@acme.test',
        template,
        contactId: contact.id,
      });
      expect(sent.statusCode).toBe(200);
      expect(sent.json()).toMatchObject({ provider: 'smtp', status: 'sent', captured: false });
      expect(sink.mails).toHaveLength(1);
      expect(sink.mails[0].subject).toBe('[Test] Hi <Ada>');
      expect(sink.mails[0].to).toMatchObject({ text: 'me@acme.test' });
      expect(sink.mails[0].html).toContain('Hi &lt;Ada&gt;');

      // The test is in the ledger, labelled test.
      const ledger = (await call('GET', '/v1/messages')).json().data;
      expect(ledger.filter((m: { provider: string }) => m.provider === 'smtp')).toHaveLength(1);

      const { port } = refusing.server.address() as AddressInfo;
      await call('PUT', '/v1/channels/email', {
        provider: 'smtp',
        config: { host: '127.0.0.1', port, user: 'u', password: 'wrong', from: 'Acme <news@acme.test>' },
      });
      const refused = await call('POST', '/v1/templates/test', {
        to: 'me@acme.test',
        template,
        contactId: contact.id,
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error).toMatchObject({ code: 'test_send_failed', provider: 'SMTP' });
      expect(refused.json().error.message).toContain('Invalid username or password');

      const check = await call('POST', '/v1/channels/email/test', { to: 'me@acme.test' });
      expect(check.statusCode).toBe(422);
      expect(check.json().error.reason).toContain('Invalid username or password');
      expect(ws.id).toBeTruthy();
    } finally {
      // Pooled SMTP connections would hold the peers open.
      await closeChannelDeps(api.channels);
      await sink.close();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
  it('refuses to delete or rename a template a published journey sends, naming the journey', async () => {
    const { ws, call } = await workspace();
    const created = (
      await call('POST', '/v1/templates', {
        name: 'promo',
        channel: 'email',
        subject: 'Deals',
        body: 'Deals',
      })
    ).json();
    await publishGraph(
      api.database.db,
      ws.id,
      line('Spring campaign', [
        { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
        { id: 'mail', type: 'email.send', config: { template: 'promo' } },
      ]),
    );
    expect((await call('GET', `/v1/templates/${created.id}/usage`)).json().data).toMatchObject([
      { name: 'Spring campaign', status: 'active' },
    ]);
    const deleted = await call('DELETE', `/v1/templates/${created.id}`);
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json().error).toMatchObject({ code: 'template_in_use', field: 'name' });
    expect(deleted.json().error.message).toContain('“Spring campaign”');
    const renamed = await call('PUT', `/v1/templates/${created.id}`, {
      name: 'promo 2',
      channel: 'email',
      body: 'x',
    });
    expect(renamed.statusCode).toBe(409);
    const edited = await call('PUT', `/v1/templates/${created.id}`, {
      name: 'promo',
      channel: 'email',
      body: 'New deals',
    });
    expect(edited.statusCode).toBe(200);
    expect((await call('GET', `/v1/templates/${created.id}`)).json()).toMatchObject({
      name: 'promo',
      body: 'New deals',
    });
    // A template no journey sends goes.
    const spare = (await call('POST', '/v1/templates', { name: 'spare', channel: 'sms', body: 'x' })).json();
    expect((await call('DELETE', `/v1/templates/${spare.id}`)).statusCode).toBe(204);
  });
});
