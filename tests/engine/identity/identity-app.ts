import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '../../../db';
import type { Role } from '../../../db/schema';
import { buildApp } from '../../../engine/api/app';
import type { AppDeps } from '../../../engine/api/deps';
import { createRegistry } from '../../../engine/automation/nodes';
import { addMember } from '../../../engine/identity/memberships';
import { defaultIdentitySettings, type IdentitySettings } from '../../../engine/identity/settings';
import { createUser } from '../../../engine/identity/users';
import { testChannelDeps, testSecretBox } from '../../helpers/channels';
import type { TemporalHarness } from '../../helpers/temporal';

export const PASSWORD = 'correct horse battery staple';

/** The real API with channels (so every route exists) and identity settings for the test. */
export async function identityApp(
  database: Database,
  temporal: TemporalHarness,
  identity: Partial<IdentitySettings> = {},
  extra: Partial<AppDeps> = {},
): Promise<FastifyInstance> {
  const deps = {
    db: database.db,
    database,
    temporal: temporal.client,
    taskQueue: temporal.taskQueue,
    registry: createRegistry(),
    secretBox: testSecretBox,
    channels: testChannelDeps(database.db),
    identity: { ...defaultIdentitySettings, ...identity },
    ...extra,
  };
  const app = await buildApp(deps as AppDeps);
  await app.ready();
  return app;
}

/** A user with a password and a role in the workspace. */
export async function member(
  database: Database,
  workspaceId: string,
  role: Role,
  email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`,
) {
  const user = await createUser(database.db, { email, password: PASSWORD, name: role });
  await addMember(database.db, workspaceId, user.id, role);
  return user;
}

/** A signed-in browser: its cookie and CSRF token, replayed on each call. */
export interface Browser {
  cookie: string;
  csrf: string;
  call(
    method: string,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

export async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<Browser> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/sign-in',
    payload: { email, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return browserOf(app, response);
}

export function browserOf(app: FastifyInstance, response: LightMyRequestResponse): Browser {
  const session = response.cookies.find((c) => c.name === 'wayline_session');
  if (!session) throw new Error(`no session cookie: ${response.body}`);
  const browser: Browser = {
    cookie: `wayline_session=${session.value}`,
    csrf: response.json().csrfToken,
    call: (method, url, payload, headers = {}) =>
      app.inject({
        method: method as never,
        url,
        payload: payload as never,
        headers: {
          cookie: browser.cookie,
          ...(method === 'GET' ? {} : { 'x-csrf-token': browser.csrf }),
          ...headers,
        },
      }),
  };
  return browser;
}
