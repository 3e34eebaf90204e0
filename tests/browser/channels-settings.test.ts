import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { p8, serviceAccountKey } from '../connectors/push-peers';
import { docsScreenshot } from './helpers/browser';
import { type BrowserSession, browserSession, type Stack } from './helpers/stack';

/**
 * The channel settings page: credentials saved once and never shown again (yet used by the
 * check send, which needs the stored password), the send policy, and the suppression list
 * (Chromium, API + UI, PGlite, Temporal dev server, an SMTP server that requires a login).
 */
describe('channel settings in a browser (Chromium, API + UI, PGlite, Temporal dev server, SMTP peer)', () => {
  let session: BrowserSession;
  let stack: Stack;
  let page: Page;
  let smtp: SMTPServer;
  let port: number;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, done) =>
        auth.username === 'news' && auth.password === 'hunter2-secret'
          ? done(null, { user: 'news' })
          : done(new Error('Invalid username or password')),
      onData(stream, _session, done) {
        simpleParser(stream).then((mail) => {
          mails.push(mail);
          done();
        }, done);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
    session = await browserSession();
    ({ stack, page } = session);
  }, 600_000);
  afterAll(async () => {
    await session?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('saves SMTP credentials that never show again, checks the channel, and removes a suppression', async () => {
    for (const address of ['ann@example.com', 'bob@example.com']) {
      expect((await stack.call('PUT', '/v1/suppressions', { channel: 'email', address })).status).toBe(204);
    }
    await page.goto(`${stack.url}/channels`);
    const email = page.locator('[data-testid="channel-email"]');
    await email.waitFor();
    // Every channel the server lists has its card.
    for (const channel of ['email', 'sms', 'push', 'webhook', 'slack', 'wechat']) {
      await page.locator(`[data-testid="channel-${channel}"]`).waitFor();
    }

    await email.locator('#email-provider').selectOption('smtp');
    await email.locator('#email-config-host').fill('127.0.0.1');
    await email.locator('#email-config-port').fill(String(port));
    await email.locator('#email-config-from').fill('Acme <news@acme.test>');
    await email.locator('#email-config-user').fill('news');
    await email.locator('#email-config-password').fill('hunter2-secret');
    await email.locator('#email-quiet-start').fill('21:00');
    await email.locator('#email-quiet-end').fill('08:00');
    await email.locator('#email-cap-max').fill('3');
    await email.getByRole('button', { name: 'Save email' }).click();
    await email.locator('[role="status"]', { hasText: 'Saved.' }).waitFor();

    const settings = await (await stack.call('GET', '/v1/channels')).text();
    expect(settings).not.toContain('hunter2');
    const saved = JSON.parse(settings).data.find((s: { channel: string }) => s.channel === 'email');
    expect(saved).toMatchObject({
      provider: 'smtp',
      secretsSet: ['password'],
      policy: { quietHours: { start: '21:00', end: '08:00' }, frequencyCap: { max: 3, windowHours: 24 } },
    });

    // After a reload the password field is empty, marked as set, and nowhere in the page.
    await page.reload();
    await email.locator('#email-config-password').waitFor();
    expect(await email.locator('#email-config-password').inputValue()).toBe('');
    expect(await email.locator('#email-config-password').getAttribute('placeholder')).toBe(
      'Set: leave empty to keep',
    );
    expect(await page.content()).not.toContain('hunter2');

    // The check send logs in with the stored password.
    await email.locator('#email-test-to').fill('me@acme.test');
    await email.getByRole('button', { name: 'Send check' }).click();
    await email.locator('[role="status"]', { hasText: 'Sent through smtp' }).waitFor();
    await expect.poll(() => mails.length).toBe(1);
    expect(mails[0].subject).toBe('[Test] Channel check');
    await page.evaluate(() => window.scrollTo(0, 0));
    await docsScreenshot(page, 'channel-settings');

    // Saving again without typing the password keeps it.
    await email.getByRole('button', { name: 'Save email' }).click();
    await email.locator('[role="status"]', { hasText: 'Saved.' }).waitFor();
    await email.getByRole('button', { name: 'Send check' }).click();
    await expect.poll(() => mails.length).toBe(2);

    // The suppression list: search, remove.
    const suppressions = page.locator('[data-testid="suppressions"]');
    await suppressions.getByLabel('Search suppressed addresses').fill('ann');
    await expect.poll(() => suppressions.locator('tbody tr').count()).toBe(1);
    await suppressions.scrollIntoViewIfNeeded();
    await docsScreenshot(page, 'channel-suppressions');
    await suppressions.getByRole('button', { name: 'Remove ann@example.com' }).click();
    await suppressions.getByText('No suppressed address matches.').waitFor();
    const left = (await (await stack.call('GET', '/v1/suppressions')).json()) as {
      data: { address: string }[];
    };
    expect(left.data.map((s) => s.address)).toEqual(['bob@example.com']);
  }, 600_000);

  it('configures FCM and APNs together for push, both keys write-only', async () => {
    await page.goto(`${stack.url}/channels`);
    const push = page.locator('[data-testid="channel-push"]');
    await push.waitFor();
    await push.locator('#push-provider').selectOption('fcm-apns');
    // One box per provider, each with its own key file.
    const fcm = push.getByRole('group', { name: /Firebase Cloud Messaging/ });
    const apns = push.getByRole('group', { name: /Apple Push Notification service/ });
    await fcm
      .locator('#push-config-fcmServiceAccount')
      .fill(serviceAccountKey('https://oauth2.googleapis.com'));
    await apns.locator('#push-config-apnsTeamId').fill('TEAM123456');
    await apns.locator('#push-config-apnsKeyId').fill('KEY1234567');
    await apns.locator('#push-config-apnsPrivateKey').fill(p8);
    await apns.locator('#push-config-apnsTopic').fill('com.acme.shop');
    await push.getByRole('button', { name: 'Save push' }).click();
    await push.locator('[role="status"]', { hasText: 'Saved.' }).waitFor();

    // A line of each key's body: neither answers nor pages ever show it.
    const keyLine = p8.split('\n')[1];
    const serviceAccountLine = JSON.parse(serviceAccountKey('x')).private_key.split('\n')[1];
    const settings = await (await stack.call('GET', '/v1/channels')).text();
    expect(settings).not.toContain(keyLine);
    expect(settings).not.toContain(serviceAccountLine);
    const saved = JSON.parse(settings).data.find((s: { channel: string }) => s.channel === 'push');
    expect(saved.provider).toBe('fcm-apns');
    expect(saved.secretsSet.sort()).toEqual(['apnsPrivateKey', 'fcmServiceAccount']);
    expect(saved.config).toMatchObject({ apnsTeamId: 'TEAM123456', apnsTopic: 'com.acme.shop' });

    await page.reload();
    await push.locator('#push-config-apnsPrivateKey').waitFor();
    for (const secret of ['#push-config-fcmServiceAccount', '#push-config-apnsPrivateKey']) {
      expect(await push.locator(secret).inputValue()).toBe('');
      expect(await push.locator(secret).getAttribute('placeholder')).toBe('Set: leave empty to keep');
    }
    expect(await page.content()).not.toContain(keyLine);
    expect(await page.content()).not.toContain(serviceAccountLine);
    await push.scrollIntoViewIfNeeded();
    await docsScreenshot(page, 'channel-push-fcm-apns');
  }, 120_000);
});
