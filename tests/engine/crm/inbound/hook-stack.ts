import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Dispatcher, startDispatcher } from '../../../../engine/dispatch/dispatcher';
import { createWorkspace, type NewWorkspace } from '../../../../engine/identity/workspaces';
import { bearer } from '../../../helpers/app';
import { type ChannelStack, channelStack } from '../../../helpers/channel-stack';

export interface HookStack {
  stack: ChannelStack;
  workspace: NewWorkspace;
  /** Calls the API as the workspace (secret key). */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
  /** Creates an inbound webhook with this mapping; fails the test unless it is created. */
  createHook(name: string, mapping: unknown): Promise<{ id: string; secret: string }>;
  /** POSTs `body` to the hook's endpoint signed as a Standard Webhooks sender does. */
  deliver(
    hook: { id: string; secret: string },
    body: unknown,
    webhookId?: string,
  ): Promise<LightMyRequestResponse>;
}

/**
 * The API on PGlite and a worker on the real Temporal dev server (`channelStack`), a workspace,
 * and a sender that signs its deliveries; with `dispatcher`, tracked events also reach journeys.
 */
export function hookStack(workspaceName: string, options: { dispatcher?: boolean } = {}): HookStack {
  const stack = channelStack('dev-server');
  let dispatcher: Dispatcher | undefined;
  const fixture = { stack } as HookStack;
  beforeAll(async () => {
    if (options.dispatcher) {
      dispatcher = startDispatcher(
        { db: stack.db, temporal: stack.temporal.client, taskQueue: stack.temporal.taskQueue },
        { pollMs: 100, maxBackoffMs: 1000 },
      );
    }
    fixture.workspace = await createWorkspace(stack.db, workspaceName);
  });
  afterAll(async () => {
    await dispatcher?.stop();
  });
  fixture.call = (method, url, payload) =>
    stack.app.inject({
      method,
      url,
      payload: payload as never,
      headers: bearer(fixture.workspace.secretKey),
    });
  fixture.createHook = async (name, mapping) => {
    const response = await fixture.call('POST', '/v1/hooks', { name, mapping });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  fixture.deliver = (hook, body, webhookId = `msg_${randomUUID()}`) => {
    const text = JSON.stringify(body);
    const timestamp = new Date();
    return stack.app.inject({
      method: 'POST',
      url: `/v1/hooks/${hook.id}`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': new Webhook(hook.secret).sign(webhookId, timestamp, text),
      },
      payload: text,
    });
  };
  return fixture;
}
