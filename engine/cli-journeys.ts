import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { diffJourneys, type JourneyDiff } from './automation/journeys/diff';
import type { CodeBundle, PushReport } from './operations/journeys-as-code';

/**
 * `wayline journeys pull|push|diff --dir <folder>`: a workspace's journeys, message templates and
 * segments as files in a folder (a git repository), through the API with an API key. Journeys are
 * `<dir>/<slug>.json`, templates `<dir>/templates/<slug>.json`, segments `<dir>/segments/<slug>.json`
 * (or `.yaml`), each the same object the builder's import and export use.
 */
export async function runJourneysCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = console.log,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string', default: 'journeys' },
      url: { type: 'string' },
      key: { type: 'string' },
      format: { type: 'string', default: 'json' },
      publish: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const [command] = positionals;
  const url = values.url ?? env.WAYLINE_API_URL;
  const key = values.key ?? env.WAYLINE_API_KEY;
  if (!command || !['pull', 'push', 'diff'].includes(command)) {
    out(
      'Usage: wayline journeys <pull|push|diff> --dir <folder> [--url <api url>] [--key <api key>] [--format json|yaml] [--publish] [--dry-run]\n' +
        'The API address and key also come from WAYLINE_API_URL and WAYLINE_API_KEY.',
    );
    return 2;
  }
  if (!url || !key) {
    out('An API address and key are needed: --url and --key, or WAYLINE_API_URL and WAYLINE_API_KEY.');
    return 2;
  }
  if (values.format !== 'json' && values.format !== 'yaml') {
    out('--format is json or yaml.');
    return 2;
  }
  const client = apiClient(url, key);
  const dir = path.resolve(values.dir);
  try {
    if (command === 'pull') {
      const bundle = (await client('GET', '/v1/journeys-code')) as CodeBundle;
      const written = writeBundle(dir, bundle, values.format);
      out(
        `Pulled ${bundle.journeys.length} journeys, ${bundle.templates.length} templates and ${bundle.segments.length} segments into ${dir} (${written} files).`,
      );
      return 0;
    }
    const local = readBundle(dir);
    if (command === 'diff') {
      const remote = (await client('GET', '/v1/journeys-code')) as CodeBundle;
      for (const line of describeDiff(remote, local)) out(line);
      return 0;
    }
    const report = (await client('POST', '/v1/journeys-code', {
      bundle: local,
      dryRun: values['dry-run'],
      publish: values.publish,
    })) as PushReport;
    for (const line of describeReport(report)) out(line);
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      const report = (error.body as { error?: { report?: PushReport } })?.error?.report;
      if (report) for (const line of describeReport(report)) out(line);
      out(`Refused (${error.status}): ${error.message}`);
      return 1;
    }
    out(`Failed: ${(error as Error).message}`);
    return 1;
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

function apiClient(base: string, key: string) {
  return async (method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(new URL(route, base), {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const message = (parsed as { error?: { message?: string } })?.error?.message ?? response.statusText;
      throw new ApiError(response.status, message, parsed);
    }
    return parsed;
  };
}

/** A file name for a name: lowercase letters, digits and dashes. */
export function slug(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return base || 'unnamed';
}

const extensions = ['.json', '.yaml', '.yml'];

function filesIn(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((f) => extensions.includes(path.extname(f)))
      .sort()
      .map((f) => path.join(folder, f));
  } catch {
    return [];
  }
}

function parseFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return path.extname(file) === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function serialize(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : YAML.stringify(value);
}

/** Writes one file per item (names made unique), and removes files of items no longer there. */
function writeBundle(dir: string, bundle: CodeBundle, format: 'json' | 'yaml'): number {
  const groups: [string, { name: string }[]][] = [
    [dir, bundle.journeys],
    [path.join(dir, 'templates'), bundle.templates],
    [path.join(dir, 'segments'), bundle.segments],
  ];
  let written = 0;
  for (const [folder, items] of groups) {
    mkdirSync(folder, { recursive: true });
    const keep = new Set<string>();
    for (const item of items) {
      let base = slug(item.name);
      for (let n = 2; keep.has(`${base}.${format}`); n++) base = `${slug(item.name)}-${n}`;
      const file = `${base}.${format}`;
      keep.add(file);
      writeFileSync(path.join(folder, file), serialize(item, format));
      written++;
    }
    for (const file of filesIn(folder)) if (!keep.has(path.basename(file))) rmSync(file);
  }
  return written;
}

function readBundle(dir: string): CodeBundle {
  return {
    journeys: filesIn(dir).map(parseFile) as CodeBundle['journeys'],
    templates: filesIn(path.join(dir, 'templates')).map(parseFile) as CodeBundle['templates'],
    segments: filesIn(path.join(dir, 'segments')).map(parseFile) as CodeBundle['segments'],
  };
}

const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));

export function describeJourneyDiff(diff: JourneyDiff): string[] {
  const lines: string[] = [];
  for (const n of diff.nodes.added) lines.push(`  + node ${n.id} (${n.type})`);
  for (const n of diff.nodes.removed) lines.push(`  - node ${n.id} (${n.type})`);
  for (const n of diff.nodes.changed) {
    for (const f of n.fields) lines.push(`  ~ node ${n.id}: ${f.path} ${show(f.before)} → ${show(f.after)}`);
  }
  for (const e of diff.edges.rewired) lines.push(`  ↷ edge ${e.source}.${e.port}: ${e.before} → ${e.after}`);
  for (const e of diff.edges.added) lines.push(`  + edge ${e.source}.${e.port} → ${e.target}`);
  for (const e of diff.edges.removed) lines.push(`  - edge ${e.source}.${e.port} → ${e.target}`);
  for (const f of diff.settings) lines.push(`  ~ ${f.path}: ${show(f.before)} → ${show(f.after)}`);
  return lines;
}

/** What a push would change, journey by journey (the version diff), then templates and segments. */
function describeDiff(remote: CodeBundle, local: CodeBundle): string[] {
  const lines: string[] = [];
  const remoteJourneys = new Map(remote.journeys.map((j) => [j.name, j]));
  for (const journey of local.journeys) {
    const current = remoteJourneys.get(journey.name);
    if (!current) {
      lines.push(`journey “${journey.name}”: new (${journey.nodes.length} nodes)`);
      continue;
    }
    const diff = diffJourneys(current, journey);
    lines.push(`journey “${journey.name}”: ${diff.same ? 'unchanged' : 'changed'}`);
    lines.push(...describeJourneyDiff(diff));
  }
  const localNames = new Set(local.journeys.map((j) => j.name));
  for (const journey of remote.journeys) {
    if (!localNames.has(journey.name)) lines.push(`journey “${journey.name}”: only in the workspace (kept)`);
  }
  for (const [kind, mine, theirs] of [
    ['template', local.templates, remote.templates],
    ['segment', local.segments, remote.segments],
  ] as const) {
    const byName = new Map<string, Record<string, unknown>>(theirs.map((item) => [item.name, item]));
    for (const item of mine as Record<string, unknown>[]) {
      const current = byName.get(String(item.name));
      if (!current) {
        lines.push(`${kind} “${item.name}”: new`);
        continue;
      }
      const changed = Object.keys(item).filter(
        (field) => JSON.stringify(item[field] ?? null) !== JSON.stringify(current[field] ?? null),
      );
      if (changed.length) lines.push(`${kind} “${item.name}”: changed (${changed.join(', ')})`);
    }
  }
  if (lines.length === 0)
    lines.push('Nothing to compare: the folder holds no journeys, templates or segments.');
  return lines;
}

function describeReport(report: PushReport): string[] {
  const lines: string[] = [];
  for (const j of report.journeys) {
    lines.push(
      `journey “${j.name}”: ${j.action}${j.publishedVersion ? `, published as version ${j.publishedVersion}` : ''}`,
    );
  }
  for (const t of report.templates)
    if (t.action !== 'unchanged') lines.push(`template “${t.name}”: ${t.action}`);
  for (const s of report.segments)
    if (s.action !== 'unchanged') lines.push(`segment “${s.name}”: ${s.action}`);
  for (const p of report.problems) {
    lines.push(`${p.severity} in “${p.journey}”${p.nodeId ? ` at node ${p.nodeId}` : ''}: ${p.message}`);
  }
  lines.push(report.applied ? 'Applied.' : 'Nothing changed.');
  return lines;
}
