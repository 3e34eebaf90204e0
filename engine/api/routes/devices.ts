import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  deleteDeviceToken,
  deviceTokenInput,
  listDeviceTokens,
  registerDeviceToken,
} from '../../content/devices';
import { audit } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import { deviceTokenSchema } from '../schemas/content';

const tags = ['devices'];
const contactParams = z.object({ id: z.uuid() });

/** A contact's mobile app installations: the device tokens FCM and APNs sends go to. */
export const deviceRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/contacts/:id/devices',
    {
      schema: {
        tags,
        summary: "The contact's registered device tokens",
        params: contactParams,
        response: { 200: listOf(deviceTokenSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listDeviceTokens(deps.db, request.workspaceId, request.params.id) }),
  );

  app.post(
    '/contacts/:id/devices',
    {
      schema: {
        tags,
        summary: 'Register a device token (moves to this contact if another one had it)',
        params: contactParams,
        body: deviceTokenInput,
        response: { 201: deviceTokenSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      const row = await registerDeviceToken(deps.db, request.workspaceId, request.params.id, request.body);
      await audit(request, deps, {
        action: 'device.register',
        objectType: 'contact',
        objectId: request.params.id,
        change: { platform: row.platform, appId: row.appId },
      });
      return reply.code(201).send(row);
    },
  );

  app.delete(
    '/contacts/:id/devices/:deviceId',
    {
      schema: {
        tags,
        summary: 'Remove a device token',
        params: contactParams.extend({ deviceId: z.uuid() }),
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteDeviceToken(deps.db, request.workspaceId, request.params.id, request.params.deviceId);
      await audit(request, deps, {
        action: 'device.delete',
        objectType: 'contact',
        objectId: request.params.id,
      });
      return reply.code(204).send();
    },
  );
};
