import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The map of docs/architecture.md, checked on every import: runtime → operations → product areas
 * → the SDK contract, db/ and time. Lower layers never import higher ones, and the folders inside
 * one area import each other without a circle.
 */
const root = path.resolve(import.meta.dirname, '..', '..');

const layers: { name: string; level: number; folders: string[] }[] = [
  {
    name: 'foundation',
    level: 0,
    folders: ['db', 'connectors', 'engine/sdk', 'engine/time', 'engine/errors.ts', 'engine/bounded-cache.ts'],
  },
  { name: 'identity', level: 1, folders: ['engine/identity'] },
  { name: 'audience and content', level: 2, folders: ['engine/audience', 'engine/content'] },
  { name: 'messaging and crm', level: 3, folders: ['engine/messaging', 'engine/crm'] },
  { name: 'automation', level: 4, folders: ['engine/automation'] },
  { name: 'campaigns and analytics', level: 5, folders: ['engine/campaigns', 'engine/analytics'] },
  { name: 'operations', level: 6, folders: ['engine/operations'] },
  {
    name: 'runtime',
    level: 7,
    folders: [
      'engine/api',
      'engine/activities',
      'engine/dispatch',
      'engine/jobs',
      'engine/plugins',
      'engine/simulate',
      'engine/temporal',
      'engine/testing',
      'engine/config.ts',
      'engine/secret-key.ts',
      'engine/server.ts',
      'engine/cli.ts',
      'engine/cli-serve.ts',
      'engine/cli-admin.ts',
      'engine/cli-journeys.ts',
    ],
  },
];

function layerOf(file: string) {
  return layers.find((layer) => layer.folders.some((f) => file === f || file.startsWith(`${f}/`)));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) return name === 'migrations' ? [] : sourceFiles(rel);
    return /\.tsx?$/.test(name) ? [rel] : [];
  });
}

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(/^(import|export)(\s+type)?[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[3]));
    found.push({ from: file, to: target, typeOnly: !!match[2] });
  }
  for (const match of text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), match[1]));
    found.push({ from: file, to: target, typeOnly: false });
  }
  return found;
}

function externalsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)(?!\s+type)[^'"]*?from\s+'([^.'][^']*)'/gm)].map((m) => m[1]);
}

function resolve(target: string): string | undefined {
  const known = new Set(files);
  return [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`].find((c) => known.has(c));
}

/** Every package (or unresolved path) loaded, type imports aside, by importing these files. */
function loadedPackages(entries: string[]): string[] {
  const seen = new Set<string>();
  const found = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of externalsOf(file)) found.add(spec);
    for (const i of imports.filter((x) => x.from === file && !x.typeOnly)) {
      const target = resolve(i.to);
      if (target) walk(target);
      else found.add(i.to);
    }
  };
  for (const entry of entries) walk(entry);
  return [...found];
}

const files = [
  ...sourceFiles('engine'),
  ...sourceFiles('db'),
  ...sourceFiles('connectors'),
  ...sourceFiles('workflows'),
];
const imports = files.flatMap(importsOf);

/** The area folder a file belongs to for the circle check: engine/<area>/<folder>. */
function folderOf(file: string): string {
  const parts = file.split('/');
  const areas = ['audience', 'content', 'messaging', 'crm', 'automation', 'campaigns', 'analytics'];
  if (parts[0] === 'engine' && areas.includes(parts[1])) {
    return parts
      .slice(0, 3)
      .join('/')
      .replace(/\.tsx?$/, '');
  }
  return parts
    .slice(0, 2)
    .join('/')
    .replace(/\.tsx?$/, '');
}

describe('architecture: imports run one way', () => {
  it('places every engine file in a layer', () => {
    const unplaced = files.filter((f) => f.startsWith('engine/') && !layerOf(f));
    expect(unplaced).toEqual([]);
  });

  it('never imports a higher layer', () => {
    const upward = imports
      .filter(
        (i) => i.from.startsWith('engine/') || i.from.startsWith('db/') || i.from.startsWith('connectors/'),
      )
      .filter((i) => {
        const from = layerOf(i.from);
        const to = layerOf(i.to);
        return from && to && to.level > from.level;
      })
      .map((i) => `${i.from} → ${i.to}`);
    expect(upward).toEqual([]);
  });

  it('keeps the SDK contract free of the runtime (type-only imports of db/ at most)', () => {
    const leaks = imports
      .filter((i) => i.from.startsWith('engine/sdk/'))
      .filter((i) => !i.to.startsWith('engine/sdk/') && !(i.typeOnly && i.to.startsWith('db')))
      .map((i) => `${i.from} → ${i.to}`);
    expect(leaks).toEqual([]);
  });

  it('keeps workflow code deterministic and light: what it loads reaches no I/O and no zod', () => {
    // Temporal bundles workflows/ with everything it imports (types aside); none of it may reach
    // the database, the network or Node's built-ins. Nor zod: Temporal's reusable context shares
    // only its own modules between runs, so every new run evaluates what workflows/ imports
    // again; zod was 450 kB of a 2.9 MB bundle and most of a journey run's first workflow task.
    const entries = files.filter((f) => f.startsWith('workflows/'));
    expect(
      loadedPackages(entries).filter((spec) => !/^@temporalio\/(workflow|common)(\/|$)/.test(spec)),
    ).toEqual([]);
  });

  it('lets a plugin import wayline/sdk without loading the database, config or Temporal', () => {
    expect(loadedPackages(['engine/sdk/index.ts']).filter((spec) => spec !== 'zod')).toEqual([]);
  });

  it('has no import circle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      const a = folderOf(i.from);
      const b = folderOf(i.to);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)?.add(b);
    }
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of edges.get(node) ?? []) {
        if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node);
    expect(circles).toEqual([]);
  });
});
