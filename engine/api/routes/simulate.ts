import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { simulationRequestSchema } from '../../simulate/script';
import { simulateJourney } from '../../simulate/simulate-journey';
import type { Simulator } from '../../simulate/simulator';
import type { AppDeps } from '../deps';
import { authedErrors, errors } from '../schemas/common';
import { simulationResultSchema } from '../schemas/journeys';

/**
 * `POST /v1/journeys/:id/simulate`: runs the journey for a sample contact and a script of
 * events on the time-skipping test server, started on the first simulation and stopped with
 * the app. The simulator's module (Temporal's worker and test server) is loaded with the first
 * simulation: an API process that never simulates never loads it.
 */
export const simulateRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  let simulator: Promise<Simulator> | undefined;
  const simulatorOnce = () => {
    simulator ??= import('../../simulate/simulator').then(
      ({ Simulator }) => new Simulator({ registry: deps.registry }),
    );
    // A module that failed to load is loaded again by the next simulation.
    simulator.catch(() => {
      simulator = undefined;
    });
    return simulator;
  };
  app.addHook('onClose', async () => (await simulator?.catch(() => undefined))?.close());

  app.post(
    '/journeys/:id/simulate',
    {
      schema: {
        tags: ['journeys'],
        summary: 'Simulate the journey for a sample contact and a script of timed events',
        description:
          'Runs on a private time-skipping Temporal test server with a throwaway database: waits take ' +
          'seconds, sends are only recorded, and nothing of the workspace changes.',
        params: z.object({ id: z.uuid() }),
        body: simulationRequestSchema,
        response: { 200: simulationResultSchema, ...authedErrors, ...errors(404, 409, 422) },
      },
    },
    async (request) =>
      simulateJourney(deps.db, await simulatorOnce(), request.workspaceId, request.params.id, request.body),
  );
};
