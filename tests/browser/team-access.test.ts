import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../engine/identity/memberships';
import { issueSignInLink } from '../../engine/identity/sign-in-links';
import { createUser } from '../../engine/identity/users';
import { createWorkspace, type NewWorkspace } from '../../engine/identity/workspaces';
import { type OpenBrowser, openBrowser, screenshot } from './helpers/browser';
import { type Stack, signIn, signInAt, startStack } from './helpers/stack';

const OWNER = {
  email: 'olivia.owner@example.com',
  name: 'Olivia Owner',
  password: 'violet-harbour-lantern-42',
};
const MARKETER = { email: 'mark.eter@example.com', name: 'Mark Eter', password: 'amber-meadow-compass-17' };
const INVITEE = {
  email: 'ines.invited@example.com',
  name: 'Ines Invited',
  password: 'quiet-river-orchard-88',
};

type Browser = OpenBrowser;

/**
 * Signing in, workspaces, members, keys and the audit log in the builder: Debian's Chromium
 * (playwright-core) against the whole stack in this process (API serving the built UI, PGlite,
 * a worker on the real Temporal dev server), with the demo autologin off as in `wayline api`.
 */
describe('teams and access in a browser (Chromium, API + UI, PGlite, Temporal dev server)', () => {
  let stack: Stack;
  let second: NewWorkspace;
  let browser: Browser;
  let page: Page;
  const others: Browser[] = [];
  /** Console messages of every page of every browser: the strict CSP must not refuse anything. */
  const consoleLines: string[] = [];

  const watch = (context: BrowserContext) => {
    const listen = (p: Page) =>
      p.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    context.pages().forEach(listen);
    context.on('page', listen);
  };

  async function newBrowser(): Promise<Browser> {
    const opened = await openBrowser();
    watch(opened.context);
    others.push(opened);
    return opened;
  }

  beforeAll(async () => {
    stack = await startStack({ autologin: false });
    const { db } = stack.database;
    second = await createWorkspace(db, 'Second brand', 'UTC');
    const owner = await createUser(db, OWNER);
    await addMember(db, stack.workspace.id, owner.id, 'owner');
    await addMember(db, second.id, owner.id, 'owner');
    const marketer = await createUser(db, MARKETER);
    await addMember(db, stack.workspace.id, marketer.id, 'marketer');
    // One journey in each workspace, so the list shows which one is active.
    const first = await stack.call('POST', '/v1/journeys', {
      name: 'First brand welcome',
      nodes: [],
      edges: [],
    });
    expect(first.status).toBe(201);
    const other = await stack.call(
      'POST',
      '/v1/journeys',
      { name: 'Second brand re-engagement', nodes: [], edges: [] },
      { authorization: `Bearer ${second.secretKey}` },
    );
    expect(other.status).toBe(201);
    browser = await openBrowser();
    watch(browser.context);
    page = browser.page;
  }, 180_000);

  afterAll(async () => {
    for (const opened of others) await opened.close();
    await browser?.close();
    await stack?.close();
  });

  it('sends a visitor to sign in, refuses a wrong password, then comes back to the page asked for', async () => {
    await page.goto(`${stack.url}/contacts`);
    await page.waitForURL(/\/sign-in\?returnTo=%2Fcontacts$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'team-01-sign-in');

    await signIn(page, { email: OWNER.email, password: 'not-the-right-password' });
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toContain('The email or password is not correct');

    await signIn(page, OWNER);
    await page.waitForURL(/\/contacts$/);
    await page.locator('[data-testid="user-menu"]', { hasText: OWNER.name }).waitFor();
    // No demo badge: this server signs nobody in by itself.
    expect(await page.locator('.demo-badge').count()).toBe(0);
  });

  it('says when to try again after too many failed sign-ins', async () => {
    const { db } = stack.database;
    const locked = { email: 'lou.locked@example.com', password: 'granite-sparrow-window-61' };
    await createUser(db, locked);
    for (let attempt = 0; attempt < 5; attempt++) {
      const refused = await fetch(`${stack.url}/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: locked.email, password: `wrong-${attempt}` }),
      });
      expect(refused.status).toBe(401);
    }
    const other = await newBrowser();
    await other.page.goto(`${stack.url}/sign-in`);
    await signIn(other.page, locked);
    await expect
      .poll(() => other.page.locator('[role="alert"]').textContent())
      .toMatch(/Too many failed sign-ins.*Try again in \d+ minutes? \(at /);
  });

  it('switches workspaces from the top bar: the journey list follows', async () => {
    await page.goto(`${stack.url}/journeys`);
    const table = page.locator('[data-testid="journey-table"]');
    await table.getByText('First brand welcome').waitFor();
    const switcher = page.locator('[data-testid="workspace-switcher"]');
    await switcher.getByText('Browser test workspace').waitFor();

    await switcher.locator('.dropdown-toggle').click();
    await switcher.locator('[data-workspace="Second brand"]').click();
    await switcher.locator('.workspace-name', { hasText: 'Second brand' }).waitFor();
    await table.getByText('Second brand re-engagement').waitFor();
    expect(await table.getByText('First brand welcome').count()).toBe(0);

    // As the only owner of this workspace, Olivia cannot demote herself: the server says why.
    await page.goto(`${stack.url}/settings/members`);
    await page.locator(`select[aria-label="Role of ${OWNER.email}"]`).selectOption('admin');
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toMatch(/owner/i);

    await switcher.locator('.dropdown-toggle').click();
    await switcher.locator('[data-workspace="Browser test workspace"]').click();
    await switcher.locator('.workspace-name', { hasText: 'Browser test workspace' }).waitFor();
  });

  it('invites someone who accepts in another browser, sets a name and password and lands with the role', async () => {
    await page.goto(`${stack.url}/settings/members`);
    await page.locator(`[data-member="${OWNER.email}"]`).waitFor();
    await page.locator('input[name="invite-email"]').fill(INVITEE.email);
    await page.locator('select[name="invite-role"]').selectOption('analyst');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator(`[data-invitation="${INVITEE.email}"]`).waitFor();
    await screenshot(page, 'team-02-members');

    // The email went to the dev outbox; its link carries the token.
    const outbox = (await (await stack.call('GET', '/v1/dev/outbox')).json()) as {
      data: { recipient: string; text: string }[];
    };
    const email = outbox.data.find((message) => message.recipient === INVITEE.email);
    const token = /accept-invitation\?token=([\w-]+)/.exec(email?.text ?? '')?.[1];
    expect(token).toBeTruthy();

    const invitee = await newBrowser();
    await invitee.page.goto(`${stack.url}/accept-invitation?token=${token}`);
    await invitee.page.locator('input[name="name"]').fill(INVITEE.name);
    await invitee.page.locator('input[name="new-password"]').fill(INVITEE.password);
    await invitee.page.locator('input[name="repeat-password"]').fill(INVITEE.password);
    await invitee.page.getByRole('button', { name: 'Join the workspace' }).click();
    await invitee.page.waitForURL(/\/journeys$/);
    const switcher = invitee.page.locator('[data-testid="workspace-switcher"]');
    await switcher.locator('.workspace-name', { hasText: 'Browser test workspace' }).waitFor();
    await switcher.locator('.role-chip', { hasText: 'analyst' }).waitFor();
    // An analyst changes nothing: no way to start a journey, nor to edit or publish one.
    expect(await invitee.page.getByRole('button', { name: 'New blank journey' }).count()).toBe(0);
    const journey = (await (
      await stack.call('POST', '/v1/journeys', {
        name: 'Read-only for analysts',
        nodes: [{ id: 'start', type: 'trigger.manual', config: {} }],
        edges: [],
      })
    ).json()) as { id: string };
    await invitee.page.goto(`${stack.url}/journeys/${journey.id}`);
    await invitee.page.locator('.editor-title', { hasText: 'Read-only for analysts' }).waitFor();
    expect(await invitee.page.locator('[data-testid="publish"]').count()).toBe(0);
    expect(await invitee.page.locator('.workspace.read-only').count()).toBe(1);

    await page.reload();
    await page.locator(`[data-member="${INVITEE.email}"]`, { hasText: 'analyst' }).waitFor();
    expect(await page.locator(`[data-invitation="${INVITEE.email}"]`).count()).toBe(0);
  });

  it('shows a marketer no Members page, and says "not allowed" at its address', async () => {
    const marketer = await newBrowser();
    await marketer.page.goto(`${stack.url}/journeys`);
    await marketer.page.waitForURL(/\/sign-in/);
    await signIn(marketer.page, MARKETER);
    await marketer.page.waitForURL(/\/journeys$/);
    await marketer.page.locator('.topnav a', { hasText: 'Journeys' }).waitFor();
    expect(await marketer.page.locator('.topnav a', { hasText: 'Settings' }).count()).toBe(0);

    await marketer.page.goto(`${stack.url}/settings/members`);
    const refusal = marketer.page.locator('[data-testid="not-allowed"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('members:read');
    expect(await marketer.page.locator('[data-testid="members-page"]').count()).toBe(0);
  });

  it('creates an API key shown once, revokes it, and the audit log lists its creation', async () => {
    await page.goto(`${stack.url}/settings/api-keys`);
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.locator('[data-testid="create-key"]');
    await dialog.locator('input[name="key-name"]').fill('CI deploys');
    await dialog.locator('input[name="scope-write"]').check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const key = await page.locator('[data-testid="new-key"]').textContent();
    expect(key).toMatch(/^wl_sk_/);
    // The key works, as what it is: a secret key of this workspace.
    expect(
      (await stack.call('GET', '/v1/journeys', undefined, { authorization: `Bearer ${key}` })).status,
    ).toBe(200);
    await page.locator('[data-testid="key-created"]').getByRole('button', { name: 'Done' }).click();
    const row = page.locator('tr[data-key="CI deploys"]');
    await row.getByText(OWNER.email).waitFor();
    expect(await page.getByText(key!).count()).toBe(0);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('[data-testid="confirm-revoke"]').getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('Revoked').waitFor();
    expect(
      (await stack.call('GET', '/v1/journeys', undefined, { authorization: `Bearer ${key}` })).status,
    ).toBe(401);

    await page.locator('.settings-nav a', { hasText: 'Audit log' }).click();
    const table = page.locator('[data-testid="audit-table"]');
    await table.locator('tr[data-action="api-key.create"]', { hasText: OWNER.email }).waitFor();
    await page.locator('input[name="action"]').fill('api-key.*');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await table.locator('tr[data-action="api-key.revoke"]').waitFor();
    const csv = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(csv).toBe('/v1/audit-log.csv?action=api-key.*');
    const exported = await page.evaluate(async (href) => (await fetch(href!)).text(), csv);
    expect(exported).toContain('api-key.create');
    expect(exported).not.toContain('member.join');
  });

  it('signs in with a one-time link, once', async () => {
    const { db } = stack.database;
    const dana = await createUser(db, { email: 'dana.dev@example.com', name: 'Dana Dev' });
    await addMember(db, stack.workspace.id, dana.id, 'developer');
    const { link } = await issueSignInLink(db, 'http://wayline.invalid', dana, stack.workspace.id);
    const path = link.replace('http://wayline.invalid', stack.url);
    const visitor = await newBrowser();
    await visitor.page.goto(path);
    await visitor.page.locator('[data-testid="user-menu"]', { hasText: 'Dana Dev' }).waitFor();
    // The token leaves the address at once, and a second use is refused.
    expect(visitor.page.url()).not.toContain('token=');
    const again = await newBrowser();
    await again.page.goto(path);
    await again.page.locator('[role="alert"]').waitFor();
  });

  it('resets a forgotten password through the emailed link', async () => {
    const newPassword = 'copper-lighthouse-thistle-29';
    const visitor = await newBrowser();
    await visitor.page.goto(`${stack.url}/sign-in`);
    await visitor.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await visitor.page.locator('input[name="email"]').fill(MARKETER.email);
    await visitor.page.getByRole('button', { name: 'Send the link' }).click();
    await visitor.page.getByText('is on its way').waitFor();

    const outbox = (await (await stack.call('GET', '/v1/dev/outbox')).json()) as {
      data: { recipient: string; text: string }[];
    };
    const email = outbox.data.find((message) => message.recipient === MARKETER.email);
    const token = /reset-password\?token=([\w-]+)/.exec(email?.text ?? '')?.[1];
    expect(token).toBeTruthy();
    await visitor.page.goto(`${stack.url}/reset-password?token=${token}`);
    await visitor.page.locator('input[name="new-password"]').fill(newPassword);
    await visitor.page.locator('input[name="repeat-password"]').fill(newPassword);
    await visitor.page.getByRole('button', { name: 'Set the password' }).click();
    await visitor.page.getByText('Your password is set').waitFor();
    await visitor.page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(visitor.page, { email: MARKETER.email, password: newPassword });
    await visitor.page.locator('[data-testid="user-menu"]', { hasText: MARKETER.name }).waitFor();
  });

  it('opens a journey link after its session ended: sign in, then the journey', async () => {
    const journeys = (await (await stack.call('GET', '/v1/journeys')).json()) as {
      data: { id: string; name: string }[];
    };
    const journey = journeys.data.find((j) => j.name === 'First brand welcome')!;
    const other = await newBrowser();
    await signInAt(other.page, stack, OWNER);
    await other.page.goto(`${stack.url}/journeys/${journey.id}`);
    await other.page.locator('.editor-title', { hasText: 'First brand welcome' }).waitFor();
    // The session cookie gone (expired): this browser still guesses it has a session, so its
    // start-up reads the journey beside the session check and is refused.
    await other.context.clearCookies();
    const refused: string[] = [];
    other.page.on('response', (response) => {
      if (response.status() === 401) refused.push(new URL(response.url()).pathname);
    });
    await other.page.goto(`${stack.url}/journeys/${journey.id}`);
    await other.page.waitForURL(/\/sign-in\?returnTo=/);
    expect(refused).toContain(`/v1/journeys/${journey.id}`);
    await signIn(other.page, OWNER);
    await other.page.waitForURL(new RegExp(`/journeys/${journey.id}$`));
    await other.page.locator('.editor-title', { hasText: 'First brand welcome' }).waitFor();
    await other.page.locator('.react-flow').waitFor();
  });

  it('signs out from the user menu, and the page asks for a sign-in again', async () => {
    await page.locator('[data-testid="user-menu"] .dropdown-toggle').click();
    await page.getByRole('menuitem', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${stack.url}/settings/members`);
    await page.waitForURL(/\/sign-in\?returnTo=%2Fsettings%2Fmembers$/);
  });

  it('breaks no Content-Security-Policy rule on any page', () => {
    expect(consoleLines.filter((line) => /content security policy/i.test(line))).toEqual([]);
  });
});
