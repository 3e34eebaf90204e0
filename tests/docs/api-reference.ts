/**
 * docs/api.md from the OpenAPI description: one table per area with each route, its summary
 * and what it answers. Regenerate with `npx tsx tests/docs/api-reference.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '../../db';
import { buildApp } from '../../engine/api/app';
import { createRegistry } from '../../engine/automation/nodes';
import { testChannelDeps, testSecretBox } from '../helpers/channels';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}
interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

const intro = `# API

The live OpenAPI description is served at \`/docs\` (UI) and \`/docs/json\`; it names the shape of
every answer. All \`/v1\` routes except the tracking API, inbound webhooks, sign-in and the public
tracking links take \`Authorization: Bearer <secret key>\` (or a session cookie); every query is
scoped to the workspace, so one workspace's key reads nothing of another's (404).

Errors are JSON (\`ErrorBody\`): \`{ "error": { "code", "message", "field"?, "issues"? } }\`. A 400
names the field (\`body.nodes.0.id\`); domain errors carry a stable code (\`journey_not_active\`,
\`journey_invalid\` with \`problems\`, \`contact_not_found\`, …); 5xx reveal nothing. Dates are
ISO 8601 strings. The "answers" column gives the success statuses with the component they return
(\`[Journey]\` is \`{ "data": Journey[] }\`) and the 4xx statuses the route can give.

This file is generated from the routes: \`npx tsx tests/docs/api-reference.ts\`.
`;

const sections: { title: string; tags: string[] }[] = [
  { title: 'Operations', tags: ['operations'] },
  {
    title: 'Tracking API (write key; Segment-compatible) and inbound webhooks (signed)',
    tags: ['tracking'],
  },
  {
    title: 'Public, token-signed links (opens, clicks, unsubscribe, provider callbacks)',
    tags: ['message tracking'],
  },
  { title: 'Sign-in, workspaces and members', tags: ['auth', 'workspaces', 'members'] },
  { title: 'Journeys', tags: ['journeys'] },
  { title: 'Builder helpers', tags: ['nodes'] },
  { title: 'Contacts, segments and jobs', tags: ['contacts', 'segments', 'jobs'] },
  { title: 'Messages: templates, channels, policy, ledger', tags: ['templates', 'messages', 'channels'] },
  {
    title: 'Workspace settings: secrets, webhooks, API keys, audit log',
    tags: ['secrets', 'hooks', 'api-keys', 'audit-log'],
  },
];
const other = 'Other';

const componentOf = (schema: Schema | undefined): string | undefined =>
  schema?.$ref?.replace('#/components/schemas/', '');

function body(schema: Schema | undefined): string {
  const component = componentOf(schema);
  if (component) return component;
  const listed = componentOf(schema?.properties?.data?.items);
  if (schema?.properties?.data?.type === 'array' && listed) return `[${listed}]`;
  return 'JSON';
}

/** `200 Journey`, `204`, `200 image/gif`; then the 4xx statuses. */
export function answers(operation: Operation): string {
  const entries = Object.entries(operation.responses ?? {});
  const successes = entries
    .filter(([status]) => /^[23]/.test(status))
    .map(([status, response]) => {
      const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? [];
      if (!mediaType) return status;
      return `${status} ${mediaType === 'application/json' ? body(media?.schema) : mediaType}`;
    });
  const failures = entries.filter(([status]) => /^4/.test(status)).map(([status]) => status);
  return [...successes, ...(failures.length ? [`(${failures.join(', ')})`] : [])].join(', ');
}

export const routeName = (method: string, route: string) =>
  `${method.toUpperCase()} ${route.replace(/\{\*\}/g, '*').replace(/\{(\w+)\}/g, ':$1')}`;

function table(rows: string[][]): string {
  const header = ['route', 'what it does', 'answers'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderApiReference(spec: OpenApi): string {
  const bySection = new Map<string, string[][]>();
  for (const [route, operations] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags?.[0] ?? '';
      // The signed webhook receiver sits beside the tracking API: both authenticate without the key.
      const section =
        tag === 'hooks' && Array.isArray(operation.security) && operation.security.length === 0
          ? sections[1].title
          : (sections.find((s) => s.tags.includes(tag))?.title ?? other);
      const summary = (operation.summary ?? '').replace(/\|/g, '\\|');
      const rows = bySection.get(section) ?? [];
      rows.push([`\`${routeName(method, route)}\``, summary, answers(operation)]);
      bySection.set(section, rows);
    }
  }
  const parts = [intro];
  for (const title of [...sections.map((s) => s.title), other]) {
    const rows = bySection.get(title);
    if (rows?.length) parts.push(`### ${title}\n\n${table(rows)}\n`);
  }
  return parts.join('\n');
}

async function main() {
  const database = await createDb({});
  const app = await buildApp({
    db: database.db,
    database,
    // Building the description never calls Temporal.
    temporal: {} as never,
    taskQueue: 'docs',
    registry: createRegistry(),
    secretBox: testSecretBox,
    channels: testChannelDeps(database.db),
  });
  await app.ready();
  const spec = app.swagger() as unknown as OpenApi;
  await app.close();
  await database.close();
  const target = path.join(import.meta.dirname, '..', '..', 'docs', 'api.md');
  writeFileSync(target, renderApiReference(spec));
  console.log(`wrote ${target}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
