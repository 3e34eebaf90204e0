import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../engine/config';
import { loadPlugins } from '../../../engine/plugins/load-plugins';
import { loadRegistry } from '../../../engine/server';
import { freePort } from '../../helpers/ports';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const fixtures = 'tests/engine/plugins/fixtures';
const examples = ['examples/crm-create-ticket', 'examples/score-lead', 'examples/http-enrich'];
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** An installation folder whose node_modules holds the acme-nodes fixture package. */
function installationWithAcme(dependencies: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-plugins-'));
  scratch.push(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'my-wayline', dependencies }));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(path.join(root, fixtures, 'acme-nodes'), path.join(dir, 'node_modules', 'acme-nodes'));
  return dir;
}

describe('plugin loading', () => {
  it('registers the example nodes named in WAYLINE_PLUGINS next to the built-in ones', async () => {
    const registry = await loadRegistry(loadConfig({ WAYLINE_PLUGINS: examples.join(', ') }));
    for (const type of ['crm.create-ticket', 'score.lead', 'http.enrich']) {
      expect(registry.get(type, 1)?.kind).toBe('action');
    }
    expect(registry.get('contact.update', 1)).toBeDefined();
  });

  it('loads a package by name through the wayline field of its package.json', async () => {
    const installation = installationWithAcme({});
    const plugins = await loadPlugins(['acme-nodes'], { root: installation });
    expect(plugins.nodes.map((n) => n.definition.type)).toEqual(['acme.greet']);
    expect(plugins.nodes[0].source).toMatch(/acme-nodes\/nodes\/greet\.js$/);
  });

  it('finds installed dependencies that declare a wayline field without being named', async () => {
    const installation = installationWithAcme({ 'acme-nodes': '^1.0.0' });
    const plugins = await loadPlugins([], { root: installation });
    expect(plugins.nodes.map((n) => n.definition.type)).toEqual(['acme.greet']);
  });

  it('loads a folder holding a package.json with a wayline field', async () => {
    const plugins = await loadPlugins([`${fixtures}/acme-nodes`], { root, discover: false });
    expect(plugins.nodes.map((n) => n.definition.type)).toEqual(['acme.greet']);
  });

  it('names the file and the node whose config has no JSON Schema', async () => {
    await expect(loadRegistry(loadConfig({ WAYLINE_PLUGINS: `${fixtures}/broken-config` }))).rejects.toThrow(
      /fixture\.reminder in tests\/engine\/plugins\/fixtures\/broken-config\/reminder\.ts is invalid: config cannot be converted to JSON Schema/,
    );
  });

  it('names the file of an action node that declares no ports', async () => {
    await expect(loadRegistry(loadConfig({ WAYLINE_PLUGINS: `${fixtures}/no-ports` }))).rejects.toThrow(
      /fixture\.silent in tests\/engine\/plugins\/fixtures\/no-ports\/silent\.ts is invalid: action nodes must declare at least one port/,
    );
  });

  it('refuses a second definition of the same type@version, naming both files', async () => {
    const config = loadConfig({ WAYLINE_PLUGINS: `examples/score-lead,${fixtures}/duplicate` });
    await expect(loadRegistry(config)).rejects.toThrow(
      /score\.lead in tests\/engine\/plugins\/fixtures\/duplicate\/another-score\.ts is invalid: score\.lead@1 is already defined by examples\/score-lead\/score-lead\.ts/,
    );
  });

  it('refuses a module that exports no node definition', async () => {
    await expect(loadPlugins([`${fixtures}/empty`], { root, discover: false })).rejects.toThrow(
      /Plugin module tests\/engine\/plugins\/fixtures\/empty\/helpers\.ts exports no node definitions/,
    );
  });

  it('refuses a plugin that is neither a folder nor an installed package', async () => {
    await expect(loadPlugins(['./plugins/missing'], { root, discover: false })).rejects.toThrow(
      /the plugin folder \.\/plugins\/missing does not exist/,
    );
    await expect(loadPlugins(['no-such-wayline-plugin'], { root, discover: false })).rejects.toThrow(
      /cannot find plugin "no-such-wayline-plugin"/,
    );
  });

  it('stops `wayline start` with a message naming the broken node and its file', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-start-'));
    scratch.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'engine', 'cli.ts'), 'start'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        WAYLINE_PLUGINS: `${fixtures}/broken-config`,
        WAYLINE_DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        PORT: String(await freePort()),
        LOG_LEVEL: 'silent',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(1);
    expect(output).toContain(
      'Node definition fixture.reminder in tests/engine/plugins/fixtures/broken-config/reminder.ts is invalid',
    );
    expect(output).not.toContain('Wayline is running');
  }, 180_000);
});
