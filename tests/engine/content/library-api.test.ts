import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { toSnapshot } from '../../../engine/audience/contacts/contact-store';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { getContentItem, recordContentView } from '../../../engine/content/library';
import { localStorage } from '../../../engine/content/storage';
import { createWorkspace } from '../../../engine/identity/workspaces';
import type { MessageLinks } from '../../../engine/messaging/links/links';
import { sendMessage } from '../../../engine/messaging/messages/send-message';
import { appDeps } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';
import { fileForm, testPng } from './content-fixtures';

describe.each(databaseKinds())('content library API (%s, local asset folder, Fastify inject)', (kind) => {
  let database: Database;
  let temporal: TemporalHarness;
  let app: FastifyInstance;
  const folder = mkdtempSync(path.join(tmpdir(), 'wayline-assets-test-'));

  beforeAll(async () => {
    database = await openTestDb(kind);
    temporal = await devServerTemporal();
    app = await buildApp(
      appDeps(database, temporal, {
        channels: testChannelDeps(database.db, 'http://wayline.test'),
        content: { storage: localStorage(folder), maxAssetBytes: 64 * 1024 },
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.close();
    await database?.close();
  });

  async function workspace(name: string) {
    const ws = await createWorkspace(database.db, name);
    const headers = { authorization: `Bearer ${ws.secretKey}` };
    const upload = (form: FormData) =>
      app.inject({ method: 'POST', url: '/v1/assets', headers, payload: form });
    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
      app.inject({ method, url, headers, payload: payload as never });
    return { ws, headers, upload, call };
  }

  it('uploads an image, keeps its size and serves a 320-pixel WebP thumbnail', async () => {
    const { upload, call } = await workspace('Assets');
    const png = await testPng();
    const res = await upload(fileForm(png, 'hero banner.png', 'image/png'));
    expect(res.statusCode).toBe(201);
    const asset = res.json();
    expect(asset).toMatchObject({
      filename: 'hero banner.png',
      contentType: 'image/png',
      size: png.length,
      width: 800,
      height: 600,
      url: `http://wayline.test/p/assets/${asset.id}`,
      thumbnailUrl: `http://wayline.test/p/assets/${asset.id}/thumbnail`,
    });
    const file = await call('GET', `/v1/assets/${asset.id}/file`);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(file.rawPayload, png)).toBe(0);
    const thumbnail = await app.inject({ method: 'GET', url: `/p/assets/${asset.id}/thumbnail` });
    expect(thumbnail.statusCode).toBe(200);
    const meta = await sharp(thumbnail.rawPayload).metadata();
    // 800×600 scaled to 320 wide keeps the 4:3 ratio: 240 high.
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 240]);
    expect((await call('GET', '/v1/assets')).json().data.map((a: { id: string }) => a.id)).toEqual([
      asset.id,
    ]);
  });

  it('answers 413 over the size limit and 415 for a refused or disguised type, storing nothing', async () => {
    const { upload, call } = await workspace('Refused');
    const big = await upload(fileForm(Buffer.alloc(70 * 1024, 1), 'big.pdf', 'application/pdf'));
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({ code: 'asset_too_large', field: 'file' });
    const html = await upload(fileForm(Buffer.from('<script>alert(1)</script>'), 'page.html', 'text/html'));
    expect(html.statusCode).toBe(415);
    expect(html.json().error).toMatchObject({ code: 'asset_type_refused', field: 'file' });
    const svg = await upload(
      fileForm(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'x.svg', 'image/svg+xml'),
    );
    expect(svg.statusCode).toBe(415);
    const fake = await upload(fileForm(Buffer.from('GIF89a not really a png'), 'fake.png', 'image/png'));
    expect(fake.statusCode).toBe(415);
    expect(fake.json().error.message).toContain('not a valid image/png image');
    const noFile = await upload(fileForm(Buffer.from('x'), 'a.txt', 'text/plain', 'other'));
    expect(noFile.statusCode).toBe(400);
    expect((await call('GET', '/v1/assets')).json().data).toEqual([]);
  });

  it('creates items of every kind, refuses bad ones by field, and filters the library', async () => {
    const { upload, call } = await workspace('Library');
    const image = (await upload(fileForm(await testPng(200, 100), 'shoe.png', 'image/png'))).json();
    const pdf = (await upload(fileForm(Buffer.from('%PDF-1.4 test'), 'terms.pdf', 'application/pdf'))).json();

    const article = await call('POST', '/v1/content', {
      kind: 'article',
      title: 'Ten running tips',
      body: 'Start slow.\nHydrate.',
      category: 'Blog',
      tags: ['running', 'tips', 'running'],
    });
    expect(article.statusCode).toBe(201);
    expect(article.json()).toMatchObject({ status: 'draft', tags: ['running', 'tips'], ownerId: null });
    const photo = await call('POST', '/v1/content', {
      kind: 'image',
      title: 'Spring shoe',
      assetId: image.id,
      status: 'published',
      tags: ['spring'],
    });
    expect(photo.statusCode).toBe(201);
    const coupon = await call('POST', '/v1/content', {
      kind: 'coupon',
      title: 'Spring 20',
      details: { code: 'SPRING20', discount: '20%', expiresAt: '2027-04-30T23:59:59Z' },
      status: 'published',
      category: 'Promotions',
      tags: ['spring'],
    });
    expect(coupon.statusCode).toBe(201);

    const refused = [
      [{ kind: 'coupon', title: 'No code' }, 'details.code'],
      [{ kind: 'image', title: 'No file' }, 'assetId'],
      [{ kind: 'video', title: 'A PDF', assetId: pdf.id }, 'assetId'],
      [{ kind: 'article', title: 'Ghost file', assetId: '00000000-0000-4000-8000-000000000000' }, 'assetId'],
      [{ kind: 'podcast', title: 'Nope' }, 'body.kind'],
      [{ kind: 'article', title: '' }, 'body.title'],
      [{ kind: 'offer', title: 'Bad link', details: { url: 'not a url' } }, 'body.details.url'],
    ] as const;
    for (const [body, field] of refused) {
      const res = await call('POST', '/v1/content', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.field).toBe(field);
    }

    const ids = async (query: string) =>
      (await call('GET', `/v1/content${query}`))
        .json()
        .data.map((i: { title: string }) => i.title)
        .sort();
    expect(await ids('')).toEqual(['Spring 20', 'Spring shoe', 'Ten running tips']);
    expect(await ids('?tag=spring')).toEqual(['Spring 20', 'Spring shoe']);
    expect(await ids('?status=draft')).toEqual(['Ten running tips']);
    expect(await ids('?kind=coupon&category=Promotions')).toEqual(['Spring 20']);
    expect(await ids('?q=hydrate')).toEqual(['Ten running tips']);
    expect(await ids('?q=100%25')).toEqual([]);

    const replaced = await call('PUT', `/v1/content/${article.json().id}`, {
      kind: 'article',
      title: 'Ten running tips',
      body: 'Start slow.',
      status: 'archived',
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ status: 'archived', category: null, tags: [] });
  });

  it('shows a published item’s public page, counts its views, and hides drafts', async () => {
    const { ws, call } = await workspace('Public page');
    const draft = (await call('POST', '/v1/content', { kind: 'article', title: 'Secret <plan>' })).json();
    expect((await app.inject({ method: 'GET', url: `/p/content/${draft.id}` })).statusCode).toBe(404);
    await call('PUT', `/v1/content/${draft.id}`, {
      kind: 'article',
      title: 'Secret <plan>',
      body: 'a & b',
      status: 'published',
    });
    const page = await app.inject({ method: 'GET', url: `/p/content/${draft.id}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Secret &lt;plan&gt;</h1>');
    expect(page.body).toContain('a &amp; b');
    await app.inject({ method: 'GET', url: `/p/content/${draft.id}` });

    // Views on fixed days: 2 today (the page loads above), 3 two days ago, 1 forty days ago (outside the 7-day window).
    const item = await getContentItem(database.db, ws.id, draft.id);
    const day = (n: number) => new Date(Date.now() - n * 86_400_000);
    for (const at of [day(2), day(2), day(2), day(40)]) await recordContentView(database.db, item, at);
    const perf = (await call('GET', `/v1/content/${draft.id}/performance?days=7`)).json();
    expect(perf).toMatchObject({ views: 6, clicks: 0, likes: 0, shares: 0, comments: 0, posts: 0 });
    expect(perf.daily).toHaveLength(7);
    expect(perf.daily.at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), views: 2, clicks: 0 });
    expect(perf.daily.at(-3)).toEqual({ date: day(2).toISOString().slice(0, 10), views: 3, clicks: 0 });
    expect(perf.daily.reduce((s: number, d: { views: number }) => s + d.views, 0)).toBe(5);
  });

  it('counts clicks of tracked message links that lead to the item', async () => {
    const { ws, call } = await workspace('Clicks');
    const item = (
      await call('POST', '/v1/content', { kind: 'offer', title: 'Spring offer', status: 'published' })
    ).json();
    const ada = await createContact(database.db, ws.id, { userId: 'ada', email: 'ada@example.com' });
    const channels = testChannelDeps(database.db, 'http://wayline.test');
    let links: MessageLinks | undefined;
    const sent = await sendMessage(channels, {
      workspaceId: ws.id,
      journeyId: randomUUID(),
      journeyVersion: 1,
      runId: `wl:test:${ada.id}`,
      nodeId: 'email-1',
      idempotencyKey: `content-click:${ada.id}`,
      contact: toSnapshot(ada),
      channel: 'email',
      recipient: ada.email,
      transactional: false,
      onCap: 'skip',
      now: Date.now(),
      render: async (l) => {
        links = l;
        return { subject: 'Offer', html: `<a href="${item.url}">See the offer</a>` };
      },
    });
    expect(sent.result).toBe('sent');
    // Two clicks on the item's link and one on another link: 2 clicks for the item.
    for (const target of [item.url, item.url, 'https://elsewhere.test/']) {
      const click = await app.inject({
        method: 'GET',
        url: links!.click(target).replace('http://wayline.test', ''),
      });
      expect(click.statusCode).toBe(302);
      expect(click.headers.location).toBe(target);
    }
    const perf = (await call('GET', `/v1/content/${item.id}/performance?days=1`)).json();
    // The click events of one message and URL share a message id: the second click is a repeat.
    expect(perf).toMatchObject({ clicks: 1, views: 0 });
    expect(perf.daily).toEqual([{ date: new Date().toISOString().slice(0, 10), views: 0, clicks: 1 }]);
  });

  it('keeps workspaces apart: another workspace’s asset or item is not found', async () => {
    const a = await workspace('A');
    const b = await workspace('B');
    const asset = (await a.upload(fileForm(await testPng(40, 40), 'a.png', 'image/png'))).json();
    const item = (await a.call('POST', '/v1/content', { kind: 'article', title: 'A only' })).json();
    expect((await b.call('GET', `/v1/assets/${asset.id}`)).statusCode).toBe(404);
    expect((await b.call('GET', `/v1/assets/${asset.id}/file`)).statusCode).toBe(404);
    expect((await b.call('GET', `/v1/content/${item.id}`)).statusCode).toBe(404);
    expect((await b.call('DELETE', `/v1/assets/${asset.id}`)).statusCode).toBe(404);
    expect((await a.call('DELETE', `/v1/assets/${asset.id}`)).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/p/assets/${asset.id}` })).statusCode).toBe(404);
  });
});
