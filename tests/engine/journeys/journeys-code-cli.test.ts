import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJourney } from '../../../engine/automation/journeys/journeys';
import { runJourneysCommand } from '../../../engine/cli-journeys';
import { createWorkspace, type NewWorkspace } from '../../../engine/identity/workspaces';
import { bearer } from '../../helpers/app';
import { channelStack } from '../../helpers/channel-stack';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('wayline journeys pull|push|diff against a running API (real HTTP on 127.0.0.1, Temporal dev server, PGlite)', () => {
  const stack = channelStack('dev-server', { listen: true });
  let main: NewWorkspace;
  let copy: NewWorkspace;
  let dir: string;
  let welcomeId: string;
  let proSegmentId: string;

  /** The real entry point, as `npx wayline journeys …` runs it. */
  async function cli(key: string, ...args: string[]): Promise<{ code: number; out: string }> {
    try {
      const { stdout } = await run(
        process.execPath,
        [path.join(root, 'bin', 'wayline.mjs'), 'journeys', ...args],
        {
          cwd: root,
          env: { ...process.env, WAYLINE_API_URL: stack.apiUrl, WAYLINE_API_KEY: key },
          timeout: 60_000,
        },
      );
      return { code: 0, out: stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, out: failed.stdout };
    }
  }
  /**
   * The same command through `runJourneysCommand` in this process, as the entry point calls it
   * (its code is the exit status), still against the API over HTTP: one process start fewer.
   */
  async function cliInProcess(key: string, ...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await runJourneysCommand(
      args,
      { ...process.env, WAYLINE_API_URL: stack.apiUrl, WAYLINE_API_KEY: key },
      (line) => {
        out += `${line}\n`;
      },
    );
    return { code, out };
  }
  const call = (key: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    stack.app.inject({ method, url, payload: payload as never, headers: bearer(key) });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wayline-code-'));
    main = await createWorkspace(stack.db, 'Code');
    copy = await createWorkspace(stack.db, 'Copy');
    welcomeId = (
      await call(main.secretKey, 'POST', '/v1/journeys/from-template', { template: 'welcome-series' })
    ).json().id;
    const segment = await call(main.secretKey, 'POST', '/v1/segments', {
      name: 'Pro customers',
      definition: { match: 'all', rules: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
    });
    expect(segment.statusCode).toBe(201);
    proSegmentId = segment.json().id;
    const proJourney = await call(main.secretKey, 'POST', '/v1/journeys', {
      name: 'Pro onboarding',
      nodes: [
        { id: 'entered', type: 'trigger.segment', config: { segmentId: proSegmentId } },
        { id: 'mail', type: 'email.send', config: { template: 'welcome-1' } },
      ],
      edges: [{ id: 'e1', source: 'entered', target: 'mail' }],
    });
    expect(proJourney.statusCode).toBe(201);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pulls journeys, templates and segments into files, naming segments portably', async () => {
    const pulled = await cli(main.secretKey, 'pull', '--dir', dir);
    expect(pulled.code).toBe(0);
    expect(pulled.out).toContain('Pulled 2 journeys, 3 templates and 1 segments');
    const welcome = JSON.parse(readFileSync(path.join(dir, 'welcome-series.json'), 'utf8'));
    expect(welcome.nodes.map((n: { id: string }) => n.id)).toContain('wait-2-days');
    expect(JSON.parse(readFileSync(path.join(dir, 'templates', 'welcome-1.json'), 'utf8'))).toMatchObject({
      name: 'welcome-1',
      channel: 'email',
    });
    const pro = JSON.parse(readFileSync(path.join(dir, 'pro-onboarding.json'), 'utf8'));
    expect(pro.nodes[0].config.segmentId).toBe('segment:Pro customers');
    expect(existsSync(path.join(dir, 'segments', 'pro-customers.json'))).toBe(true);
  });

  it('diffs the edited files against the workspace, then pushes and publishes them', async () => {
    const file = path.join(dir, 'welcome-series.json');
    const welcome = JSON.parse(readFileSync(file, 'utf8'));
    welcome.nodes.find((n: { id: string }) => n.id === 'wait-2-days').config.duration.amount = 3;
    writeFileSync(file, JSON.stringify(welcome, null, 2));

    const diff = await cliInProcess(main.secretKey, 'diff', '--dir', dir);
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('journey “Welcome series”: changed');
    expect(diff.out).toContain('~ node wait-2-days: config.duration.amount 2 → 3');
    expect(diff.out).toContain('journey “Pro onboarding”: unchanged');

    const pushed = await cliInProcess(main.secretKey, 'push', '--dir', dir, '--publish');
    expect(pushed.code, pushed.out).toBe(0);
    expect(pushed.out).toContain('journey “Welcome series”: updated, published as version 1');
    const journey = await getJourney(stack.db, main.id, welcomeId);
    expect(journey.activeVersion).toBe(1);
    const wait = (journey.draft.nodes as { id: string; config: { duration: { amount: number } } }[]).find(
      (n) => n.id === 'wait-2-days',
    );
    expect(wait?.config.duration.amount).toBe(3);
    expect((await cliInProcess(main.secretKey, 'diff', '--dir', dir)).out).toContain(
      'journey “Welcome series”: unchanged',
    );
    // Publishing pinned node versions in the draft; the files (without them) are still the same journey.
    const again = await cliInProcess(main.secretKey, 'push', '--dir', dir, '--publish');
    expect(again.out).toContain('journey “Welcome series”: unchanged');
    expect(again.out).not.toContain('published as version 2');
  });

  it('refuses a push with a problem, prints it with its node, and changes nothing', async () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({
        name: 'Broken',
        nodes: [
          { id: 'start', type: 'trigger.event', config: { event: 'Signed Up' } },
          { id: 'mail', type: 'email.send', config: { template: 'no-such-template' } },
        ],
        edges: [{ id: 'e1', source: 'start', target: 'mail' }],
      }),
    );
    const before = (await call(main.secretKey, 'GET', '/v1/journeys')).json().data.length;
    const refused = await cli(main.secretKey, 'push', '--dir', dir);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/error in “Broken” at node mail: .*no-such-template.* does not exist/);
    expect(refused.out).toContain('Nothing changed.');
    expect((await call(main.secretKey, 'GET', '/v1/journeys')).json().data.length).toBe(before);
    rmSync(broken);
  });

  it('round-trips into another workspace as YAML: segments and templates created, segment ids resolved', async () => {
    const yamlDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-yaml-'));
    try {
      expect((await cliInProcess(main.secretKey, 'pull', '--dir', yamlDir, '--format', 'yaml')).code).toBe(0);
      expect(readFileSync(path.join(yamlDir, 'pro-onboarding.yaml'), 'utf8')).toContain(
        'segmentId: segment:Pro customers',
      );
      const pushed = await cliInProcess(copy.secretKey, 'push', '--dir', yamlDir);
      expect(pushed.code, pushed.out).toBe(0);
      expect(pushed.out).toContain('segment “Pro customers”: created');
      expect(pushed.out).toContain('template “welcome-2”: created');
      const segments = (await call(copy.secretKey, 'GET', '/v1/segments')).json().data as {
        id: string;
        name: string;
      }[];
      const copied = segments.find((s) => s.name === 'Pro customers')!;
      expect(copied.id).not.toBe(proSegmentId);
      const journeys = (await call(copy.secretKey, 'GET', '/v1/journeys')).json().data as {
        name: string;
        draft: { nodes: { config: Record<string, unknown> }[] };
      }[];
      expect(journeys.find((j) => j.name === 'Pro onboarding')?.draft.nodes[0].config.segmentId).toBe(
        copied.id,
      );
      // Pushing the same files again changes nothing.
      const again = await cliInProcess(copy.secretKey, 'push', '--dir', yamlDir);
      expect(again.out).toContain('journey “Pro onboarding”: unchanged');
      expect(again.out).not.toContain('created');
    } finally {
      rmSync(yamlDir, { recursive: true, force: true });
    }
  });
});
