import { API_KEY_SCOPES, type ApiKeyScope, ROLES, type Role } from '../../db/schema';

/**
 * Everything a principal may be allowed to do in a workspace. One list, read by the auth layer
 * (every route needs one of these), the UI (`GET /v1/auth/me` lists a user's) and the docs.
 */
export const PERMISSIONS = [
  'journeys:read',
  'journeys:write',
  'contacts:read',
  'contacts:write',
  'contacts:export',
  'segments:read',
  'segments:write',
  'templates:read',
  'templates:write',
  'content:read',
  'content:write',
  'campaigns:read',
  'campaigns:write',
  'broadcasts:read',
  'broadcasts:write',
  'deals:read',
  'deals:write',
  'tickets:read',
  'tickets:write',
  'messages:read',
  'analytics:read',
  'jobs:read',
  'channels:read',
  'channels:manage',
  'secrets:manage',
  'hooks:read',
  'hooks:manage',
  'keys:manage',
  'members:read',
  'members:manage',
  'audit:read',
  'settings:manage',
  'nodes:manage',
  'analytics:run',
  'exports',
  'ingest',
  'workspace:delete',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const reads = PERMISSIONS.filter((p) => p.endsWith(':read'));

/** Reads and writes of the objects marketers work on. */
const marketingObjects = [
  'journeys',
  'segments',
  'templates',
  'content',
  'campaigns',
  'broadcasts',
  'contacts',
];
const both = (objects: string[]) =>
  objects.flatMap((object) => [`${object}:read`, `${object}:write`]) as Permission[];

/** What each role may do (issue 11, item 3). */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: unique([
    ...reads,
    'members:manage',
    'keys:manage',
    'channels:manage',
    'secrets:manage',
    'settings:manage',
    'hooks:manage',
  ]),
  marketer: unique([
    ...both(marketingObjects),
    'messages:read',
    'channels:read',
    'jobs:read',
    'analytics:read',
    // Exporting the contacts they target is part of a marketer's bulk actions; analytics exports are not.
    'contacts:export',
  ]),
  analyst: unique([...reads, 'analytics:run', 'exports', 'contacts:export']),
  sales: unique([...both(['contacts', 'deals']), 'jobs:read']),
  support: unique([...both(['contacts', 'tickets']), 'messages:read', 'jobs:read']),
  developer: unique([
    'keys:manage',
    'hooks:read',
    'hooks:manage',
    'secrets:manage',
    'nodes:manage',
    'journeys:read',
    'jobs:read',
    'ingest',
  ]),
};

/** What an API key with each scope may do; a key's permissions are the union of its scopes'. */
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  ingest: ['ingest'],
  read: reads,
  write: unique([...reads, ...both([...marketingObjects, 'deals', 'tickets']), 'analytics:run']),
  admin: ROLE_PERMISSIONS.admin,
};

export const ROLE_SUMMARIES: Record<Role, string> = {
  owner: 'Everything, including deleting the workspace',
  admin: 'Members, API keys, channels, secrets, settings, inbound hooks; reads everything',
  marketer: 'Journeys, segments, templates, content, campaigns, broadcasts, contacts (with CSV export)',
  analyst: 'Reads everything, runs analytics, exports reports; changes nothing',
  sales: 'Contacts and deals',
  support: 'Contacts and service tickets',
  developer: 'API keys, inbound hooks, secrets, custom-node settings; reads journeys',
};

export function permissionsOfRole(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function permissionsOfScopes(scopes: readonly ApiKeyScope[]): Permission[] {
  return unique(scopes.flatMap((scope) => SCOPE_PERMISSIONS[scope] ?? []));
}

/**
 * Who may call a route: `public` routes authenticate themselves or not at all (tracking write
 * keys, hook signatures, sign-in); `signed-in` routes need any valid session or key but no
 * workspace permission; every other route names the one permission it needs.
 */
export type RouteAccess = Permission | 'public' | 'signed-in';

/**
 * Every `/v1` route as Fastify registers it. The auth plugin refuses to start when a `/v1`
 * route is missing here, so a new route cannot ship without a decision.
 */
export const ROUTE_PERMISSIONS: Record<string, RouteAccess> = {
  // Tracking API (write keys) and inbound hook receivers (signatures).
  'POST /v1/track': 'public',
  'POST /v1/identify': 'public',
  'POST /v1/page': 'public',
  'POST /v1/screen': 'public',
  'POST /v1/group': 'public',
  'POST /v1/alias': 'public',
  'POST /v1/batch': 'public',
  // The same, at the paths Segment's own libraries post to (engine/api/routes/tracking.ts).
  'POST /v1/t': 'public',
  'POST /v1/i': 'public',
  'POST /v1/p': 'public',
  'POST /v1/s': 'public',
  'POST /v1/g': 'public',
  'POST /v1/a': 'public',
  'POST /v1/b': 'public',
  'POST /v1/import': 'public',
  'GET /v1/projects/:writeKey/settings': 'public',
  'POST /v1/hooks/:id': 'public',

  // Sign-in and the flows that start without a session.
  'POST /v1/auth/sign-in': 'public',
  'POST /v1/auth/sign-in/link': 'public',
  'POST /v1/auth/demo-sign-in': 'public',
  'POST /v1/auth/password-reset': 'public',
  'POST /v1/auth/password-reset/confirm': 'public',
  'GET /v1/auth/oidc/start': 'public',
  'GET /v1/auth/oidc/callback': 'public',
  'POST /v1/invitations/accept': 'public',
  'GET /v1/auth/me': 'signed-in',
  'POST /v1/auth/sign-out': 'signed-in',
  'POST /v1/auth/sign-out-everywhere': 'signed-in',
  'POST /v1/auth/workspace': 'signed-in',
  'GET /v1/workspaces': 'signed-in',
  'POST /v1/workspaces': 'signed-in',
  'GET /v1/workspace/settings': 'journeys:read',
  'PUT /v1/workspace/settings': 'settings:manage',
  'GET /v1/workspace/export': 'settings:manage',
  'POST /v1/workspaces/import': 'signed-in',

  'GET /v1/members': 'members:read',
  'PATCH /v1/members/:userId': 'members:manage',
  'DELETE /v1/members/:userId': 'members:manage',
  'GET /v1/invitations': 'members:read',
  'POST /v1/invitations': 'members:manage',
  'DELETE /v1/invitations/:id': 'members:manage',

  'GET /v1/api-keys': 'keys:manage',
  'POST /v1/api-keys': 'keys:manage',
  'DELETE /v1/api-keys/:id': 'keys:manage',
  'POST /v1/api-keys/:id/revoke': 'keys:manage',
  'GET /v1/audit-log': 'audit:read',
  'GET /v1/audit-log.csv': 'audit:read',

  'GET /v1/node-types': 'journeys:read',
  'GET /v1/journey-templates': 'journeys:read',
  'GET /v1/journeys': 'journeys:read',
  'POST /v1/journeys': 'journeys:write',
  'POST /v1/journeys/from-template': 'journeys:write',
  'GET /v1/journeys/:id': 'journeys:read',
  'PUT /v1/journeys/:id': 'journeys:write',
  'DELETE /v1/journeys/:id': 'journeys:write',
  'POST /v1/journeys/:id/validate': 'journeys:read',
  'POST /v1/journeys/:id/publish': 'journeys:write',
  'POST /v1/journeys/:id/pause': 'journeys:write',
  'POST /v1/journeys/:id/resume': 'journeys:write',
  'POST /v1/journeys/:id/archive': 'journeys:write',
  'POST /v1/journeys/:id/enroll': 'journeys:write',
  'POST /v1/journeys/:id/enroll-segment': 'journeys:write',
  'POST /v1/journeys/:id/nodes/:nodeId/upgrade': 'journeys:write',
  'POST /v1/journeys/:id/simulate': 'journeys:read',
  'GET /v1/journeys/:id/entry-audience': 'journeys:read',
  'GET /v1/holidays': 'journeys:read',
  'POST /v1/holidays': 'journeys:write',
  'DELETE /v1/holidays/:id': 'journeys:write',
  'GET /v1/holiday-presets': 'journeys:read',
  'POST /v1/holidays/presets': 'journeys:write',
  'GET /v1/journeys/:id/versions': 'journeys:read',
  'GET /v1/journeys/:id/versions/:version': 'journeys:read',
  'GET /v1/journeys/:id/runs': 'journeys:read',
  'GET /v1/journeys/:id/counts': 'journeys:read',

  'GET /v1/contacts': 'contacts:read',
  'POST /v1/contacts': 'contacts:write',
  'POST /v1/contacts/imports': 'contacts:write',
  'GET /v1/contacts/:id': 'contacts:read',
  'PATCH /v1/contacts/:id': 'contacts:write',
  'DELETE /v1/contacts/:id': 'contacts:write',
  'POST /v1/contacts/:id/erase': 'contacts:write',
  'GET /v1/contacts/:id/export': 'contacts:read',
  'GET /v1/contacts/:id/events': 'contacts:read',
  'GET /v1/contacts/:id/runs': 'contacts:read',
  'PUT /v1/suppressions': 'contacts:write',
  'DELETE /v1/suppressions/:channel/:address': 'contacts:write',
  'GET /v1/jobs/:id': 'jobs:read',

  'GET /v1/segments': 'segments:read',
  'POST /v1/segments': 'segments:write',
  'POST /v1/segments/preview': 'segments:read',
  'GET /v1/segments/:id': 'segments:read',
  'PUT /v1/segments/:id': 'segments:write',
  'DELETE /v1/segments/:id': 'segments:write',
  'POST /v1/segments/:id/preview': 'segments:read',

  'GET /v1/templates': 'templates:read',
  'POST /v1/templates': 'templates:write',
  'POST /v1/templates/preview': 'templates:read',
  'GET /v1/templates/:id': 'templates:read',
  'PUT /v1/templates/:id': 'templates:write',
  'DELETE /v1/templates/:id': 'templates:write',
  'POST /v1/templates/:id/preview': 'templates:read',

  'GET /v1/messages': 'messages:read',
  'GET /v1/dev/outbox': 'messages:read',
  'GET /v1/channels': 'channels:read',
  'GET /v1/channels/email/bounce-url': 'channels:read',
  'PUT /v1/channels/:channel': 'channels:manage',
  'DELETE /v1/channels/:channel': 'channels:manage',
  'GET /v1/topics': 'channels:read',
  'PUT /v1/topics': 'channels:manage',

  'GET /v1/secrets': 'secrets:manage',
  'PUT /v1/secrets/:name': 'secrets:manage',
  'DELETE /v1/secrets/:name': 'secrets:manage',

  'GET /v1/hooks': 'hooks:read',
  'POST /v1/hooks': 'hooks:manage',
  'GET /v1/hooks/:id': 'hooks:read',
  'PUT /v1/hooks/:id': 'hooks:manage',
  'DELETE /v1/hooks/:id': 'hooks:manage',
  'POST /v1/hooks/:id/rotate-secret': 'hooks:manage',

  'GET /v1/analytics/settings': 'analytics:read',
  'PUT /v1/analytics/settings': 'analytics:run',
  'GET /v1/analytics/dashboard': 'analytics:read',
  'GET /v1/analytics/rfm': 'analytics:read',
  'POST /v1/analytics/rfm/refresh': 'analytics:run',
  'GET /v1/analytics/rfm/scores': 'analytics:read',
  'GET /v1/analytics/rfm/scores.csv': 'exports',
  'POST /v1/analytics/jobs': 'analytics:run',
  'GET /v1/analytics/results/:model': 'analytics:read',
  'POST /v1/analytics/clv/formula': 'analytics:read',
  'GET /v1/analytics/clv/scores': 'analytics:read',
  'GET /v1/analytics/clv/scores.csv': 'exports',
  'GET /v1/analytics/clusters.csv': 'exports',
  'GET /v1/analytics/clusters/segment-spread': 'analytics:read',
  'GET /v1/analytics/affinity/rules': 'analytics:read',
  'GET /v1/analytics/affinity/rules.csv': 'exports',
  'GET /v1/analytics/forecast.csv': 'exports',
  'POST /v1/analytics/funnels': 'analytics:read',
  'POST /v1/analytics/funnels.csv': 'exports',
  'POST /v1/analytics/journey-funnel': 'analytics:read',
  'GET /v1/analytics/campaigns/:campaignId/funnel': 'analytics:read',
  'POST /v1/analytics/cohorts': 'analytics:read',
  'POST /v1/analytics/cohorts.csv': 'exports',

  // Lists, custom attributes, saved views, the contact timeline and notes.
  'GET /v1/lists': 'contacts:read',
  'POST /v1/lists': 'contacts:write',
  'GET /v1/lists/:id': 'contacts:read',
  'PATCH /v1/lists/:id': 'contacts:write',
  'DELETE /v1/lists/:id': 'contacts:write',
  'GET /v1/lists/:id/members': 'contacts:read',
  'POST /v1/lists/:id/members': 'contacts:write',
  'POST /v1/lists/:id/members/remove': 'contacts:write',
  'DELETE /v1/lists/:id/members/:contactId': 'contacts:write',
  'GET /v1/attributes': 'contacts:read',
  'POST /v1/attributes': 'contacts:write',
  'PUT /v1/attributes/:id': 'contacts:write',
  'DELETE /v1/attributes/:id': 'contacts:write',
  'GET /v1/contact-views': 'contacts:read',
  'POST /v1/contact-views': 'contacts:write',
  'PUT /v1/contact-views/:id': 'contacts:write',
  'DELETE /v1/contact-views/:id': 'contacts:write',
  'POST /v1/contacts/imports/preview': 'contacts:write',
  'POST /v1/contacts/bulk': 'contacts:write',
  'GET /v1/contacts/export.csv': 'contacts:export',
  'POST /v1/contacts/:id/merge': 'contacts:write',
  'GET /v1/contacts/:id/lists': 'contacts:read',
  'GET /v1/contacts/:id/timeline': 'contacts:read',
  'POST /v1/contacts/:id/activities': 'contacts:write',
  'PUT /v1/contacts/:id/activities/:activityId': 'contacts:write',
  'DELETE /v1/contacts/:id/activities/:activityId': 'contacts:write',
  'GET /v1/segments/:id/usage': 'segments:read',
  'GET /v1/segments/:id/sizes': 'segments:read',
  // Deals, pipelines and reports.
  'GET /v1/pipelines': 'deals:read',
  'POST /v1/pipelines': 'deals:write',
  'GET /v1/pipelines/:id': 'deals:read',
  'PUT /v1/pipelines/:id': 'deals:write',
  'DELETE /v1/pipelines/:id': 'deals:write',
  'GET /v1/pipelines/:id/reports': 'deals:read',
  'GET /v1/deals': 'deals:read',
  'GET /v1/deals/owners': 'deals:read',
  'POST /v1/deals': 'deals:write',
  'GET /v1/deals/:id': 'deals:read',
  'PATCH /v1/deals/:id': 'deals:write',
  'DELETE /v1/deals/:id': 'deals:write',
  'POST /v1/deals/:id/stage': 'deals:write',
  'GET /v1/deals/:id/notes': 'deals:read',
  'POST /v1/deals/:id/notes': 'deals:write',
  'GET /v1/deals/:id/history': 'deals:read',
  // Service tickets, SLA policies and reports.
  'GET /v1/tickets': 'tickets:read',
  'POST /v1/tickets': 'tickets:write',
  'GET /v1/tickets/:id': 'tickets:read',
  'PATCH /v1/tickets/:id': 'tickets:write',
  'GET /v1/tickets/:id/comments': 'tickets:read',
  'POST /v1/tickets/:id/comments': 'tickets:write',
  'GET /v1/ticket-agents': 'tickets:read',
  'GET /v1/ticket-reports': 'tickets:read',
  'GET /v1/sla-policies': 'tickets:read',
  'PUT /v1/sla-policies/:priority': 'tickets:write',
  'DELETE /v1/sla-policies/:priority': 'tickets:write',
  // The template studio: versions, layouts, snippets, test sends; channel settings.
  'GET /v1/templates/fields': 'templates:read',
  'POST /v1/templates/validate': 'templates:read',
  'POST /v1/templates/test': 'templates:write',
  'GET /v1/templates/:id/versions': 'templates:read',
  'GET /v1/templates/:id/usage': 'templates:read',
  'GET /v1/templates/:id/versions/:version': 'templates:read',
  'POST /v1/templates/:id/versions/:version/revert': 'templates:write',
  'POST /v1/channels/:channel/test': 'channels:manage',
  'DELETE /v1/topics/:name': 'channels:manage',
  'GET /v1/suppressions': 'contacts:read',
  // The content library, assets, device tokens and social publishing.
  'GET /v1/contacts/:id/devices': 'contacts:read',
  'POST /v1/contacts/:id/devices': 'contacts:write',
  'DELETE /v1/contacts/:id/devices/:deviceId': 'contacts:write',
  'GET /v1/content': 'content:read',
  'POST /v1/content': 'content:write',
  'GET /v1/content/:id': 'content:read',
  'PUT /v1/content/:id': 'content:write',
  'DELETE /v1/content/:id': 'content:write',
  'GET /v1/content/:id/performance': 'content:read',
  'GET /v1/assets': 'content:read',
  'POST /v1/assets': 'content:write',
  'GET /v1/assets/:id': 'content:read',
  'GET /v1/assets/:id/file': 'content:read',
  'GET /v1/assets/:id/thumbnail': 'content:read',
  'DELETE /v1/assets/:id': 'content:write',
  'GET /v1/social/accounts': 'content:read',
  'POST /v1/social/accounts': 'channels:manage',
  'DELETE /v1/social/accounts/:id': 'channels:manage',
  'POST /v1/content/:id/publish': 'content:write',
  'GET /v1/social/posts': 'content:read',
  'POST /v1/social/posts/:id/cancel': 'content:write',
  // Campaigns, broadcasts, attribution and the calendar.
  'GET /v1/campaigns': 'campaigns:read',
  'POST /v1/campaigns': 'campaigns:write',
  'GET /v1/campaigns/:id': 'campaigns:read',
  'PUT /v1/campaigns/:id': 'campaigns:write',
  'DELETE /v1/campaigns/:id': 'campaigns:write',
  'POST /v1/campaigns/:id/journeys': 'campaigns:write',
  'DELETE /v1/campaigns/:id/journeys/:journeyId': 'campaigns:write',
  'POST /v1/campaigns/:id/costs': 'campaigns:write',
  'DELETE /v1/campaigns/:id/costs/:costId': 'campaigns:write',
  'GET /v1/campaigns/:id/report': 'campaigns:read',
  'GET /v1/campaigns/:id/report.csv': 'campaigns:read',
  'GET /v1/journeys/:id/campaign-report': 'campaigns:read',
  'GET /v1/calendar': 'campaigns:read',
  'GET /v1/broadcasts': 'broadcasts:read',
  'POST /v1/broadcasts': 'broadcasts:write',
  'GET /v1/broadcasts/:id': 'broadcasts:read',
  'PUT /v1/broadcasts/:id': 'broadcasts:write',
  'DELETE /v1/broadcasts/:id': 'broadcasts:write',
  'POST /v1/broadcasts/:id/confirm': 'broadcasts:read',
  'POST /v1/broadcasts/:id/launch': 'broadcasts:write',
  'POST /v1/broadcasts/:id/pause': 'broadcasts:write',
  'POST /v1/broadcasts/:id/resume': 'broadcasts:write',
  'POST /v1/broadcasts/:id/cancel': 'broadcasts:write',
  'GET /v1/broadcasts/:id/progress': 'broadcasts:read',
  'GET /v1/broadcasts/:id/ab-test': 'broadcasts:read',
  'POST /v1/broadcasts/:id/winner': 'broadcasts:write',
  'GET /v1/broadcasts/:id/report': 'broadcasts:read',
  'GET /v1/broadcasts/:id/report.csv': 'broadcasts:read',
  // Journey lifecycle: migrations, diffs, replay, timing, lint, journeys as code.
  'GET /v1/journeys/:id/diff': 'journeys:read',
  'GET /v1/journeys-code': 'journeys:read',
  'POST /v1/journeys-code': 'journeys:write',
  'POST /v1/journeys/:id/migrations/preview': 'journeys:read',
  'POST /v1/journeys/:id/migrations': 'journeys:write',
  'GET /v1/journeys/:id/migrations': 'journeys:read',
  'GET /v1/journeys/:id/migrations/:migrationId': 'journeys:read',
  'GET /v1/journeys/:id/migrations/:migrationId/runs': 'journeys:read',
  'GET /v1/journeys/:id/timing': 'journeys:read',
  'GET /v1/journeys/:id/splits/:nodeId/report': 'journeys:read',
  'POST /v1/journeys/:id/splits/:nodeId/promote': 'journeys:write',
};

/** The table key of a route: HEAD shares its GET's entry. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

export function routeAccess(method: string, url: string): RouteAccess | undefined {
  return ROUTE_PERMISSIONS[routeKey(method, url)];
}

/** The roles table of docs/security.md, generated so the docs cannot drift from the code. */
export function rolesMarkdown(): string {
  const header = `| permission | ${ROLES.join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = PERMISSIONS.map(
    (permission) =>
      `| \`${permission}\` | ${ROLES.map((role) => (ROLE_PERMISSIONS[role].includes(permission) ? '✓' : '')).join(' | ')} |`,
  );
  const summaries = ROLES.map((role) => `- **${role}**: ${ROLE_SUMMARIES[role]}.`);
  const scopes = API_KEY_SCOPES.map(
    (scope) => `| \`${scope}\` | ${SCOPE_PERMISSIONS[scope].map((p) => `\`${p}\``).join(', ')} |`,
  );
  return [
    ...summaries,
    '',
    header,
    rule,
    ...rows,
    '',
    '| API key scope | permissions |',
    '|---|---|',
    ...scopes,
  ].join('\n');
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
