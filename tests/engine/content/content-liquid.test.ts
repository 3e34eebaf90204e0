import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { uploadAsset } from '../../../engine/content/assets';
import { createContentItem } from '../../../engine/content/library';
import { localStorage } from '../../../engine/content/storage';
import { databaseKinds } from '../../helpers/databases';
import { messagingApi, workspaceCaller } from '../messaging/messaging-api';
import { testPng } from './content-fixtures';

const storage = localStorage(mkdtempSync(path.join(tmpdir(), 'wayline-liquid-assets-')));

describe.each(databaseKinds())(
  'content library in Liquid: asset_url, content_item, content_url (%s, templates API by Fastify inject)',
  (kind) => {
    const api = messagingApi(kind, 'https://mail.acme.test/');

    async function library(name: string) {
      const { ws, call } = await workspaceCaller(api, name);
      const db = api.database.db;
      const banner = await uploadAsset(db, storage, ws.id, {
        filename: 'banner.png',
        contentType: 'image/png',
        data: await testPng(40, 20),
      });
      const offer = await createContentItem(
        db,
        ws.id,
        {
          kind: 'offer',
          title: 'Spring sale',
          body: '<b>20%</b> off',
          status: 'published',
          details: { url: 'https://shop.test/spring', discount: '20%' },
        },
        null,
      );
      const draft = await createContentItem(
        db,
        ws.id,
        { kind: 'article', title: 'Soon', status: 'draft' },
        null,
      );
      return { ws, call, banner, offer, draft };
    }

    const preview = (call: Awaited<ReturnType<typeof library>>['call'], template: Record<string, unknown>) =>
      call('POST', '/v1/templates/preview', {
        template: { name: 'spring', channel: 'email', body: '', ...template },
        contact: { email: 'ada@example.com', first_name: 'Ada' },
      });

    it("renders an asset's URL and an item's fields and page in a preview", async () => {
      const { call, banner, offer } = await library('Liquid content');
      const answer = await preview(call, {
        subject: `{% assign o = '${offer.id}' | content_item %}{{ o.title }} – {{ o.discount }}`,
        body: `{{ '${offer.id}' | content_url }}`,
        html: [
          `<img src="{{ '${banner.id}' | asset_url }}">`,
          `<img src="{{ '${banner.id}' | asset_thumbnail_url }}">`,
          `{% assign o = '${offer.id}' | content_item %}<a href="{{ o.link }}">{{ o.body | raw }}</a>`,
        ].join('\n'),
      });
      expect(answer.statusCode).toBe(200);
      // The public URL's trailing slash is dropped; asset files and item pages are the public routes.
      expect(answer.json()).toEqual({
        subject: 'Spring sale – 20%',
        text: `https://mail.acme.test/p/content/${offer.id}`,
        html: [
          `<img src="https://mail.acme.test/p/assets/${banner.id}">`,
          `<img src="https://mail.acme.test/p/assets/${banner.id}/thumbnail">`,
          '<a href="https://shop.test/spring"><b>20%</b> off</a>',
        ].join('\n'),
      });
    });

    it('answers 422 naming a bad id and the line it is on', async () => {
      const { call, draft } = await library('Liquid content errors');
      const missing = '0b6f3c1e-8a47-4d4c-9d55-3f2a1b0c9e77';
      const unknownAsset = await preview(call, {
        html: `<p>Hello</p>\n<p>again</p>\n<img src="{{ '${missing}' | asset_url }}">`,
      });
      expect(unknownAsset.statusCode).toBe(422);
      expect(unknownAsset.json().error).toMatchObject({
        code: 'template_render_failed',
        field: 'html',
        line: 3,
      });
      expect(unknownAsset.json().error.message).toContain(`asset “${missing}” does not exist`);

      const notAnId = await preview(call, { body: "Hi\n{{ 'spring-banner' | content_url }}" });
      expect(notAnId.statusCode).toBe(422);
      expect(notAnId.json().error).toMatchObject({ field: 'text', line: 2 });
      expect(notAnId.json().error.message).toContain('content item “spring-banner” does not exist');

      const unpublished = await preview(call, { body: `{{ '${draft.id}' | content_url }}` });
      expect(unpublished.statusCode).toBe(422);
      expect(unpublished.json().error.message).toContain('is draft; publish it to use it in messages');
    });

    it("never resolves another workspace's asset", async () => {
      const first = await library('Liquid content A');
      const second = await library('Liquid content B');
      const answer = await preview(second.call, { body: `{{ '${first.banner.id}' | asset_url }}` });
      expect(answer.statusCode).toBe(422);
      expect(answer.json().error.message).toContain(`asset “${first.banner.id}” does not exist`);
    });

    it('offers the filters, assets and published items to the editor', async () => {
      const { call, banner, offer } = await library('Liquid content fields');
      const fields = (await call('GET', '/v1/templates/fields')).json();
      expect(fields.assets).toEqual([{ id: banner.id, filename: 'banner.png', contentType: 'image/png' }]);
      // The draft item is not offered: it cannot render until published.
      expect(fields.contentItems).toEqual([{ id: offer.id, title: 'Spring sale', kind: 'offer' }]);
      expect(fields.filters.map((f: { name: string }) => f.name)).toEqual(
        expect.arrayContaining(['asset_url', 'content_item', 'content_url']),
      );
    });
  },
);
