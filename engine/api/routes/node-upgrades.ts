import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { upgradeDraftNode } from '../../automation/journeys/upgrade-node';
import type { AppDeps } from '../deps';
import { authedErrors, errors } from '../schemas/common';
import { upgradeCheckSchema } from '../schemas/journeys';

export const nodeUpgradeRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post(
    '/journeys/:id/nodes/:nodeId/upgrade',
    {
      schema: {
        tags: ['journeys'],
        summary:
          "Move one node of the draft to another version of its type (checks the config against that version's schema)",
        params: z.object({ id: z.uuid(), nodeId: z.string().min(1).max(64) }),
        body: z
          .object({
            version: z
              .number()
              .int()
              .positive()
              .optional()
              .describe('Target version; the latest when absent'),
            config: z
              .record(z.string(), z.unknown())
              .optional()
              .describe("Config for the new version; the node's current config when absent"),
            dryRun: z.boolean().default(false).describe('Only report problems; save nothing'),
          })
          .default({ dryRun: false }),
        response: { 200: upgradeCheckSchema, ...authedErrors, ...errors(404, 409, 422) },
      },
    },
    async (request) =>
      upgradeDraftNode(
        deps.db,
        deps.registry,
        request.workspaceId,
        request.params.id,
        request.params.nodeId,
        request.body,
      ),
  );
};
