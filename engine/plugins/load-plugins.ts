import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyNodeDefinition } from '../sdk/define-node';

/** A plugin that cannot be loaded; the message names the file (and the node) at fault. */
export class PluginInvalid extends Error {
  readonly code = 'plugin_invalid';

  constructor(message: string) {
    super(message);
    this.name = 'PluginInvalid';
  }
}

export interface LoadedNode {
  definition: AnyNodeDefinition;
  /** The module file that exported it, for error messages (`in examples/score-lead/score-lead.ts`). */
  source: string;
}

export interface LoadedConnector {
  connector: { id?: string; channel: string; send: (...args: any[]) => unknown };
  source: string;
}

export interface LoadedPlugins {
  nodes: LoadedNode[];
  /** Connector definitions plugins export; registered by the channel layer. */
  connectors: LoadedConnector[];
  /** Every module file loaded, in order. */
  modules: string[];
}

export interface LoadPluginsOptions {
  /** Where relative folders and `node_modules` are looked up: the Wayline installation. */
  root: string;
  /**
   * Also load every dependency in `<root>/package.json` whose own package.json has a `wayline`
   * field (default true), so `npm install acme-wayline-nodes` is enough.
   */
  discover?: boolean;
}

interface WaylineField {
  nodes?: string[];
  connectors?: string[];
}

const moduleExtensions = ['.ts', '.mts', '.js', '.mjs'];

/**
 * Loads custom nodes (and connectors) from the folders and packages named in WAYLINE_PLUGINS
 * and from installed packages with a `wayline` field. Nothing is registered here; the registry
 * validates each definition (unique `type@version`, JSON-Schema-convertible config, ports) and
 * names the file of a broken one.
 */
export async function loadPlugins(specs: string[], options: LoadPluginsOptions): Promise<LoadedPlugins> {
  const files: string[] = [];
  const add = (file: string) => {
    if (!files.includes(file)) files.push(file);
  };
  if (options.discover ?? true) {
    for (const dir of discoverPackages(options.root))
      for (const file of packageModules(dir, options.root)) add(file);
  }
  for (const spec of specs) for (const file of modulesOf(spec, options.root)) add(file);

  const loaded: LoadedPlugins = { nodes: [], connectors: [], modules: files };
  for (const file of files) {
    const source = displayPath(file, options.root);
    const exports = await importModule(file, source);
    const found = collectExports(exports);
    if (found.nodes.length === 0 && found.connectors.length === 0) {
      throw new PluginInvalid(
        `Plugin module ${source} exports no node definitions: export the value defineNode() returns (named or default, or an array of them).`,
      );
    }
    for (const definition of found.nodes) {
      if (definition.kind !== 'action') {
        throw new PluginInvalid(
          `Node definition ${definition.type ?? '(no type)'} in ${source} is invalid: custom nodes must be of kind "action" (control flow and triggers live in the interpreter)`,
        );
      }
      loaded.nodes.push({ definition, source });
    }
    for (const connector of found.connectors) loaded.connectors.push({ connector, source });
  }
  return loaded;
}

function modulesOf(spec: string, root: string): string[] {
  const local = path.resolve(root, spec);
  if (existsSync(local)) {
    if (!statSync(local).isDirectory()) return [local];
    if (existsSync(path.join(local, 'package.json'))) return packageModules(local, root, true);
    return folderModules(local, root);
  }
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    throw new PluginInvalid(`WAYLINE_PLUGINS: the plugin folder ${spec} does not exist (looked in ${local})`);
  }
  const dir = findPackage(spec, root);
  if (!dir) {
    throw new PluginInvalid(
      `WAYLINE_PLUGINS: cannot find plugin "${spec}": it is neither a folder under ${root} nor an installed package (npm install ${spec})`,
    );
  }
  return packageModules(dir, root, true);
}

/** Every module file directly in the folder, tests and type declarations excepted. */
function folderModules(dir: string, root: string): string[] {
  const files = readdirSync(dir)
    .filter((name) => moduleExtensions.includes(path.extname(name)))
    .filter((name) => !/\.(test|spec)\.[^.]+$/.test(name) && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => path.join(dir, name));
  if (files.length === 0) {
    throw new PluginInvalid(`Plugin folder ${displayPath(dir, root)} has no module files (.ts, .js, .mjs)`);
  }
  return files;
}

/** The modules a package lists in its `wayline` field. */
function packageModules(dir: string, root: string, required = false): string[] {
  const manifestPath = path.join(dir, 'package.json');
  const where = displayPath(manifestPath, root);
  let manifest: { wayline?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new PluginInvalid(`Plugin package ${where} cannot be read: ${(error as Error).message}`);
  }
  if (manifest.wayline === undefined) {
    if (!required) return [];
    throw new PluginInvalid(
      `Plugin package ${where} has no "wayline" field; add "wayline": { "nodes": ["./my-node.js"] }`,
    );
  }
  const field = manifest.wayline as WaylineField;
  const lists = [field?.nodes, field?.connectors].filter((list) => list !== undefined);
  if (
    typeof field !== 'object' ||
    lists.length === 0 ||
    lists.some((list) => !Array.isArray(list) || list.some((entry) => typeof entry !== 'string'))
  ) {
    throw new PluginInvalid(
      `Plugin package ${where}: "wayline" must be { "nodes": [module paths], "connectors": [module paths] }`,
    );
  }
  return lists.flat().map((entry) => {
    const file = path.resolve(dir, entry as string);
    if (!existsSync(file)) {
      throw new PluginInvalid(`Plugin package ${where} lists ${entry}, which does not exist (${file})`);
    }
    return file;
  });
}

/** Dependencies of the installation that declare themselves Wayline plugins. */
function discoverPackages(root: string): string[] {
  const manifestPath = path.join(root, 'package.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string>>;
  const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
  const found: string[] = [];
  for (const name of names) {
    const dir = findPackage(name, root);
    if (!dir) continue;
    const own = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { wayline?: unknown };
    if (own.wayline !== undefined) found.push(dir);
  }
  return found;
}

/** `node_modules/<name>` in the root or any parent, as Node looks packages up. */
function findPackage(name: string, root: string): string | undefined {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    // The real path, as Node resolves a linked package, so its own imports resolve from there.
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function importModule(file: string, source: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginInvalid(`Plugin module ${source} cannot be loaded: ${(error as Error).message}`);
  }
}

function collectExports(exports: Record<string, unknown>) {
  const seen = new Set<unknown>();
  const nodes: AnyNodeDefinition[] = [];
  const connectors: LoadedConnector['connector'][] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const candidate = value as Record<string, unknown>;
    if (typeof candidate.channel === 'string' && typeof candidate.send === 'function') {
      connectors.push(candidate as LoadedConnector['connector']);
    } else if (typeof candidate.type === 'string' && ('execute' in candidate || 'config' in candidate)) {
      nodes.push(candidate as unknown as AnyNodeDefinition);
    }
  };
  for (const value of Object.values(exports)) visit(value);
  return { nodes, connectors };
}

function displayPath(file: string, root: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
