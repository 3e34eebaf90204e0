import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConnector } from '../../../connectors';
import type { Database } from '../../../db';
import { buildApp } from '../../../engine/api/app';
import { toSnapshot } from '../../../engine/audience/contacts/contact-store';
import { createContact } from '../../../engine/audience/contacts/contacts';
import { createWorkspace } from '../../../engine/identity/workspaces';
import type { ChannelDeps } from '../../../engine/messaging/channels/deps';
import { sendMessage } from '../../../engine/messaging/messages/send-message';
import { suppress } from '../../../engine/messaging/policy/suppression';
import { loadPlugins, PluginInvalid } from '../../../engine/plugins/load-plugins';
import { registerPluginConnectors } from '../../../engine/plugins/register-connectors';
import { json, startHttpPeer } from '../../connectors/peers';
import { appDeps } from '../../helpers/app';
import { testChannelDeps } from '../../helpers/channels';
import { databaseKinds, openTestDb } from '../../helpers/databases';
import { devServerTemporal, type TemporalHarness } from '../../helpers/temporal';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe.each(databaseKinds())(
  'a plugin connector (examples/http-sms-gateway, %s, local HTTP gateway)',
  (kind) => {
    let database: Database;
    let temporal: TemporalHarness;
    let app: FastifyInstance;
    let channels: ChannelDeps;
    const gateway = startHttpPeer((request, response) => {
      if (request.headers.authorization !== 'Bearer gw-token-1')
        return json(response, 401, { error: 'bad token' });
      json(response, 201, { id: `gw-${JSON.parse(request.body).reference}` });
    });

    beforeAll(async () => {
      database = await openTestDb(kind);
      temporal = await devServerTemporal();
      const plugins = await loadPlugins(['examples/http-sms-gateway'], { root, discover: false });
      expect(plugins.connectors.map((c) => c.connector.id)).toEqual(['http-sms-gateway']);
      registerPluginConnectors(plugins.connectors);
      channels = testChannelDeps(database.db);
      app = await buildApp(appDeps(database, temporal, { channels }));
    });
    afterAll(async () => {
      await app?.close();
      await temporal?.close();
      await database?.close();
      await (await gateway).close();
    });

    it('is offered among the SMS providers and configured like a built-in one, its token write-only', async () => {
      const ws = await createWorkspace(database.db, 'Plugin connector');
      const headers = { authorization: `Bearer ${ws.secretKey}` };
      const list = await app.inject({ method: 'GET', url: '/v1/channels', headers });
      expect(list.statusCode).toBe(200);
      const provider = list.json().providers.find((p: { id: string }) => p.id === 'http-sms-gateway');
      expect(provider).toMatchObject({ channel: 'sms', title: 'HTTP SMS gateway', secretFields: ['token'] });
      expect(Object.keys(provider.configSchema.properties)).toEqual(['url', 'token', 'sender']);

      const bad = await app.inject({
        method: 'PUT',
        url: '/v1/channels/sms',
        headers,
        payload: { provider: 'http-sms-gateway', config: { url: 'not a url', token: 't', sender: 'Acme' } },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.field).toBe('config.url');

      const saved = await app.inject({
        method: 'PUT',
        url: '/v1/channels/sms',
        headers,
        payload: {
          provider: 'http-sms-gateway',
          config: { url: `${(await gateway).url}/messages`, token: 'gw-token-1', sender: 'Acme' },
        },
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toMatchObject({ provider: 'http-sms-gateway', secretsSet: ['token'] });
      expect(saved.body).not.toContain('gw-token-1');
    });

    it('sends through the same policy: a suppressed number is skipped, an allowed one reaches the gateway', async () => {
      const peer = await gateway;
      const ws = await createWorkspace(database.db, 'Plugin sends');
      await app.inject({
        method: 'PUT',
        url: '/v1/channels/sms',
        headers: { authorization: `Bearer ${ws.secretKey}` },
        payload: {
          provider: 'http-sms-gateway',
          config: { url: `${peer.url}/messages`, token: 'gw-token-1', sender: 'Acme' },
        },
      });
      const ada = await createContact(database.db, ws.id, { userId: 'ada', phone: '+15550001111' });
      const bob = await createContact(database.db, ws.id, { userId: 'bob', phone: '+15550002222' });
      await suppress(database.db, ws.id, 'sms', '+15550002222', 'manual');
      const before = peer.requests.length;
      const send = (contact: typeof ada) =>
        sendMessage(channels, {
          workspaceId: ws.id,
          journeyId: randomUUID(),
          journeyVersion: 1,
          runId: `wl:test:${contact.id}`,
          nodeId: 'sms-1',
          idempotencyKey: `plugin-test:${contact.id}`,
          contact: toSnapshot(contact),
          channel: 'sms',
          recipient: contact.phone,
          transactional: false,
          onCap: 'skip',
          now: Date.now(),
          render: async () => ({ text: 'Your code is 4711' }),
        });

      const blocked = await send(bob);
      expect(blocked).toMatchObject({ result: 'skipped', reason: 'suppressed:manual' });
      expect(peer.requests.length).toBe(before);

      const sent = await send(ada);
      expect(sent).toMatchObject({ result: 'sent', provider: 'http-sms-gateway', status: 'sent' });
      expect(peer.requests.length).toBe(before + 1);
      const request = peer.requests.at(-1)!;
      expect(request.headers['idempotency-key']).toBe(`plugin-test:${ada.id}`);
      expect(JSON.parse(request.body)).toEqual({
        to: '+15550001111',
        from: 'Acme',
        text: 'Your code is 4711',
        reference: sent.messageId,
      });
      expect(sent).toMatchObject({ providerId: `gw-${sent.messageId}` });
    });

    it('refuses a connector that names an unknown channel or a taken id, naming the file', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'wayline-connector-'));
      writeFileSync(
        path.join(dir, 'fax.mjs'),
        "export const fax = { id: 'fax', channel: 'fax', title: 'Fax', send: async () => ({}) };\n",
      );
      const fax = await loadPlugins([dir], { root, discover: false });
      expect(() => registerPluginConnectors(fax.connectors)).toThrow(PluginInvalid);
      expect(() => registerPluginConnectors(fax.connectors)).toThrow(
        /Connector fax in .*fax\.mjs is invalid: channel must be one of/,
      );
      expect(findConnector('fax')).toBeUndefined();

      writeFileSync(
        path.join(dir, 'twin.mjs'),
        "export const twin = { id: 'twilio', channel: 'sms', title: 'Twin', configSchema: undefined, send: async () => ({}) };\n",
      );
      const twin = await loadPlugins([path.join(dir, 'twin.mjs')], { root, discover: false });
      expect(() => registerPluginConnectors(twin.connectors)).toThrow(/id is already taken by/);
    });
  },
);
