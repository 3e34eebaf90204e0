import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../connectors/peers';
import { docsScreenshot, screenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * The template studio as a marketer uses it: write an MJML email with Liquid (a syntax error is
 * shown at its line and blocks the save), preview it for a contact at desktop and mobile width,
 * send a test that arrives at a local SMTP server, then pick it in a journey's email node and
 * watch the journey send it (Chromium, API + UI, PGlite, Temporal dev server, smtp-server).
 */
describe('template studio in a browser (Chromium, API + UI, PGlite, Temporal dev server, SMTP peer)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    session = await browserSession();
    ({ stack, page } = session);
  }, 180_000);
  afterAll(async () => {
    await session?.close();
    await sink?.close();
  });

  const json = async <T>(response: Promise<Response>) => (await (await response).json()) as T;
  async function eventually<T>(
    check: () => Promise<T | undefined | false> | T | undefined | false,
  ): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const value = await check();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('condition not met in time');
  }

  /** Replaces a CodeMirror editor's whole text, as pasting would. */
  async function setEditor(id: string, text: string) {
    const editor = page.locator(`[data-testid="editor-${id}"] .cm-content`);
    await editor.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  }

  it('writes an MJML email, previews it for a contact, sends a test to SMTP and uses it in a journey', async () => {
    const contact = await json<{ id: string }>(
      stack.call('POST', '/v1/contacts', {
        userId: 'ada',
        email: 'ada@example.com',
        attributes: { first_name: 'Ada' },
      }),
    );
    await stack.call('POST', '/v1/contacts', { userId: 'bob', email: 'bob@example.com' });
    expect(
      (
        await stack.call('PUT', '/v1/channels/email', {
          provider: 'smtp',
          config: { host: '127.0.0.1', port: sink.port, from: 'Acme <news@acme.test>' },
        })
      ).status,
    ).toBe(200);

    await page.goto(`${stack.url}/templates`);
    await page.getByRole('button', { name: 'New template' }).click();
    await page.locator('[data-testid="template-editor"]').waitFor();
    await page.locator('#template-name').fill('Welcome email');
    await page.locator('#template-tags').fill('onboarding, welcome');
    await page.locator('#template-subject').fill('Welcome {{ contact.first_name }}');
    await page.locator('#template-preheader').fill('Your account is ready');

    // A Liquid syntax error on line 4 ("      <mj-text>Hi " is 18 characters) is shown at its line and blocks the save.
    await setEditor(
      'template-mjml',
      [
        '<mjml>',
        '  <mj-body>',
        '    <mj-section><mj-column>',
        '      <mj-text>Hi {{ contact.first_name </mj-text>',
        '    </mj-column></mj-section>',
        '  </mj-body>',
        '</mjml>',
      ].join('\n'),
    );
    const problem = page.locator('[role="alert"]', { hasText: 'Line 4, column 19' });
    await problem.waitFor().catch(async (e) => {
      await screenshot(page, 'templates-syntax-failed');
      throw e;
    });
    await page.locator('[data-testid="editor-template-mjml"] .cm-lint-marker-error').waitFor();
    await page.getByRole('button', { name: 'Create template' }).click();
    await expect.poll(() => page.url()).toMatch(/\/templates\/new$/);
    expect((await json<{ data: unknown[] }>(stack.call('GET', '/v1/templates'))).data).toEqual([]);

    // The editor completes contact attributes after `contact.`.
    await setEditor(
      'template-mjml',
      [
        '<mjml>',
        '  <mj-body>',
        '    <mj-section><mj-column>',
        '      <mj-text font-size="20px">Hi {{ contact.first_name }}, welcome aboard.</mj-text>',
        '      <mj-text>Plan: {{ event.plan | default: "free" }}</mj-text>',
        '    </mj-column></mj-section>',
        '  </mj-body>',
        '</mjml>',
      ].join('\n'),
    );
    await problem.waitFor({ state: 'detached' });
    const body = page.locator('[data-testid="editor-template-body"] .cm-content');
    await body.click();
    await page.keyboard.type('Hi {{ contact.fir');
    const completion = page.locator('.cm-tooltip-autocomplete li', { hasText: 'first_name' });
    await completion.waitFor();
    await screenshot(page, 'templates-autocomplete');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText(' }}, welcome aboard.');
    await expect.poll(() => body.textContent()).toBe('Hi {{ contact.first_name }}, welcome aboard.');

    await page.getByRole('button', { name: 'Create template' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    const templateId = page.url().split('/templates/')[1];
    const stored = await json<{ mjml: string; html: string; tags: string[] }>(
      stack.call('GET', `/v1/templates/${templateId}`),
    );
    expect(stored.tags).toEqual(['onboarding', 'welcome']);
    expect(stored.mjml).toContain('<mj-text font-size="20px">');
    expect(stored.html).toContain('@media only screen');

    // Preview for a contact, rendered by the server, at desktop and mobile width.
    await page.locator('#preview-contact-search').fill('ada');
    await eventually(async () => (await page.locator('#preview-contact option').count()) > 1);
    await page.locator('#preview-contact').selectOption(contact.id);
    await page.locator('[data-testid="preview-subject"]', { hasText: 'Welcome Ada' }).waitFor();
    const frame = page.frameLocator('iframe[title="Email preview"]');
    await frame.getByText('Hi Ada, welcome aboard.').waitFor();
    await frame.getByText('Plan: pro').waitFor();
    expect(await page.locator('iframe[title="Email preview"]').getAttribute('sandbox')).toBe('');
    await docsScreenshot(page, 'template-studio');
    await page.getByRole('button', { name: 'Mobile' }).click();
    await expect
      .poll(() =>
        page.locator('iframe[title="Email preview"]').evaluate((e) => e.getBoundingClientRect().width),
      )
      .toBe(375);
    await docsScreenshot(page, 'template-preview-mobile');

    // Send a test: it arrives at the SMTP server.
    await page.locator('#test-to').fill('me@acme.test');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.locator('[role="status"]', { hasText: 'Sent through smtp' }).waitFor();
    const test = await eventually(() => sink.mails.find((m) => m.subject === '[Test] Welcome Ada'));
    expect(test.html).toContain('Hi Ada, welcome aboard.');
    expect(test.text).toContain('Hi Ada, welcome aboard.');

    // Edit, save as version 2, compare with version 1.
    await page.locator('#template-subject').fill('Welcome, {{ contact.first_name }}!');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('[role="status"]', { hasText: 'Saved as version 2' }).waitFor();
    await page.getByRole('button', { name: 'Compare v1' }).click();
    await page
      .locator('[data-testid="version-diff"] del', { hasText: 'Subject: Welcome {{ contact.first_name }}' })
      .waitFor();
    await page
      .locator('[data-testid="version-diff"] ins', { hasText: 'Subject: Welcome, {{ contact.first_name }}!' })
      .waitFor();
    await screenshot(page, 'templates-version-diff');

    // Use it in a journey: pick it in the email node's config, publish, and the journey sends it.
    const journey = await json<{ id: string }>(
      stack.call('POST', '/v1/journeys', {
        name: 'Welcome',
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' }, position: { x: 250, y: 0 } },
          { id: 'welcome', type: 'email.send', config: {}, position: { x: 250, y: 150 } },
        ],
        edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'welcome' }],
      }),
    );
    await page.goto(`${stack.url}/journeys/${journey.id}`);
    await page.locator('.react-flow__node[data-id="welcome"]').click();
    const panel = page.locator('[data-node-panel="welcome"]');
    await panel.waitFor();
    const pick = panel.locator('input[name="template"]');
    const listId = await eventually(() => pick.getAttribute('list'));
    expect(
      await page
        .locator(`datalist#${listId} option`)
        .evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
    ).toContain('Welcome email');
    await pick.fill('Welcome email');
    await page.locator('[data-save-state="saved"]').waitFor();
    await page.locator('[data-testid="problems"] [data-errors="0"]').waitFor();
    await page.locator('[data-testid="publish"]').click();
    await page.locator('[data-testid="confirm-publish"]').click();
    await page.locator('.editor-title .badge.status-active').waitFor();
    const enrolled = await stack.call('POST', `/v1/journeys/${journey.id}/enroll`, {
      contactIds: [contact.id],
    });
    expect(enrolled.status).toBe(200);
    await page.goto(`${stack.url}/templates/${templateId}`);
    await page.locator('[data-testid="template-usage"]', { hasText: 'Sent by Welcome (active)' }).waitFor();
    const sent = await eventually(() => sink.mails.find((m) => m.subject === 'Welcome, Ada!'));
    expect(sent.to).toMatchObject({ text: 'ada@example.com' });
    expect(sent.html).toContain('Hi Ada, welcome aboard.');
  }, 240_000);
  it('filters the list, and writes an SMS with a snippet previewed for sample JSON with its segments', async () => {
    await stack.call('POST', '/v1/templates', { name: 'signature', channel: 'snippet', body: '— Acme' });
    await stack.call('POST', '/v1/templates', {
      name: 'Spring promo',
      channel: 'email',
      subject: 'Spring deals',
      body: 'Deals',
      tags: ['promo'],
    });
    await stack.call('POST', '/v1/templates', {
      name: 'OTP',
      channel: 'sms',
      body: 'Code',
      tags: ['transactional'],
    });

    await page.goto(`${stack.url}/templates`);
    const names = () =>
      page.locator('[data-testid="templates-page"] tbody tr td:first-child').allTextContents();
    await expect.poll(names).toContain('OTP');
    await page.getByLabel('Search templates').fill('spring');
    await expect.poll(names).toEqual(['Spring promo']);
    await page.getByLabel('Search templates').fill('');
    await page.getByLabel('Channel').selectOption('sms');
    await expect.poll(names).toEqual(['OTP']);
    await page.getByRole('button', { name: '#transactional' }).click();
    await expect.poll(() => page.url()).toContain('tag=transactional');
    await page.getByLabel('Channel').selectOption('');
    await expect.poll(names).toEqual(['OTP']);

    await page.goto(`${stack.url}/templates/new`);
    await page.locator('#template-name').fill('Shipping SMS');
    await page.locator('#template-channel').selectOption('sms');
    const body = page.locator('[data-testid="editor-template-body"] .cm-content');
    await body.click();
    await page.keyboard.insertText('Hi {{ contact.first_name }}, your order ships today ');
    // Snippets are offered at `{% `.
    await page.keyboard.type('{% rend');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: "render 'signature'" }).click();
    await page.keyboard.insertText(' %}');
    await page.getByRole('button', { name: 'Sample JSON' }).click();
    await page.locator('#preview-sample-contact').fill('{ "first_name": "Zoë" }');
    // "Hi Zoë, your order ships today — Acme": 37 characters; ë and — are not GSM-7, so UCS-2:
    // one message of at most 70 units, 70 − 37 = 33 left.
    await page
      .locator('[data-testid="preview-text"]', { hasText: 'Hi Zoë, your order ships today — Acme' })
      .waitFor();
    expect(await page.locator('[data-testid="sms-segments"]').textContent()).toBe(
      '1 segment · UCS-2 · 37 characters (33 left in the last segment of 70)',
    );
    await docsScreenshot(page, 'template-sms-segments');
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    const sms = (
      await json<{ data: { name: string; body: string }[] }>(stack.call('GET', '/v1/templates?channel=sms'))
    ).data;
    expect(sms.map((t) => t.name)).toEqual(['OTP', 'Shipping SMS']);
    expect(sms[1].body).toBe("Hi {{ contact.first_name }}, your order ships today {% render 'signature' %}");

    // A variable the sample contact lacks fails the server's render: shown at its line and column
    // (76 characters precede " {{ ", so the name starts at column 81).
    await page.getByRole('button', { name: 'Sample JSON' }).click();
    await page.locator('#preview-sample-contact').fill('{ "first_name": "Zoë" }');
    await body.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(' {{ contact.nickname }}');
    await page
      .locator('[role="alert"]', { hasText: 'Line 1, column 81: undefined variable: contact.nickname' })
      .waitFor();
    await page.locator('[data-testid="editor-template-body"] .cm-lint-marker-error').waitFor();
  }, 180_000);
});
