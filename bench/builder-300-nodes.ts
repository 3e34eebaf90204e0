import { randomBytes } from 'node:crypto';
/**
 * Builder time to interactive on a 300-node journey. Starts the API (PGlite in memory, the
 * built UI; Temporal is never called, so its client stays unconnected), creates a generated
 * 300-node journey and opens it in Debian's Chromium (playwright-core), N times:
 *   - render: navigation → all 300 nodes drawn and measured on the canvas
 *   - interaction: a click on a node → its generated form shown
 *   - time to interactive = render + interaction
 *   - pointer moves: the renderer's busy time over 20 pointer moves across the canvas at rest
 * The baseline, measured the same way in each run just before, is a 3-node journey: the ratio
 * is what 300 nodes cost over the page's fixed cost (bootstrap, code, data). It also reports the
 * size of the main bundle (the script the UI's index.html loads first). Target: ≤ 1 s.
 *
 *   npx tsx bench/builder-300-nodes.ts [runs=5]      (BENCH_RUNS=n also sets the runs)
 */

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium } from 'playwright-core';
import { createDb } from '../db';
import { buildApp } from '../engine/api/app';
import { createJourney } from '../engine/automation/journeys/journeys';
import type { JourneyGraphInput } from '../engine/automation/journeys/model';
import { createRegistry } from '../engine/automation/nodes';
import { SecretBox } from '../engine/identity/secret-box';
import { defaultIdentitySettings } from '../engine/identity/settings';
import { createWorkspace } from '../engine/identity/workspaces';
import { ensureDemoUser } from '../engine/operations/seed-demo';
import { ensureUiBuilt, uiDist } from '../tests/browser/helpers/ui-build';
import { benchRuns, reportResult } from './helpers/report';

const runs = Number(process.argv[2] ?? benchRuns(5));
const TARGET_MS = 1000;
const NODES = 300;
const POINTER_MOVES = 20;

/** A trigger and 299 nodes of mixed kinds in a snaking chain, with a few branches merging back. */
function generatedJourney(): JourneyGraphInput {
  const kinds = [
    { type: 'wait.duration', config: { duration: { amount: 1, unit: 'days' } } },
    { type: 'email.send', config: { template: 'newsletter' } },
    {
      type: 'branch.condition',
      config: { match: 'all', conditions: [{ kind: 'attribute', path: 'plan', op: 'eq', value: 'pro' }] },
    },
    { type: 'contact.update', config: { addTags: ['engaged'] } },
    { type: 'sms.send', config: { text: 'Hello {{ contact.attributes.firstName }}' } },
  ];
  const nodes: JourneyGraphInput['nodes'] = [
    { id: 'n0', type: 'trigger.event', config: { event: 'Signed Up' }, position: { x: 0, y: 0 } },
  ];
  const edges: JourneyGraphInput['edges'] = [];
  for (let i = 1; i < NODES; i++) {
    const kind = kinds[i % kinds.length];
    const column = Math.floor(i / 30);
    const row = column % 2 === 0 ? i % 30 : 29 - (i % 30);
    nodes.push({
      id: `n${i}`,
      type: kind.type,
      config: kind.config,
      position: { x: column * 300, y: row * 170 },
    });
    const previous = nodes[i - 1];
    const port =
      previous.type === 'branch.condition' ? 'true' : previous.type === 'wait.event' ? 'matched' : 'next';
    edges.push({ id: `e${i}`, source: previous.id, sourceHandle: port, target: `n${i}` });
    // A condition's "false" skips one node and merges back into the chain.
    if (previous.type === 'branch.condition' && i + 1 < NODES) {
      edges.push({ id: `f${i}`, source: previous.id, sourceHandle: 'false', target: `n${i + 1}` });
    }
  }
  return { name: `Generated ${NODES}-node journey`, nodes, edges, settings: { reEntry: { mode: 'never' } } };
}

/** A trigger, an email and an exit: the page with next to nothing on the canvas. */
const smallJourney: JourneyGraphInput = {
  name: 'Small journey',
  nodes: [
    { id: 'n0', type: 'trigger.event', config: { event: 'Signed Up' }, position: { x: 0, y: 0 } },
    { id: 'n1', type: 'email.send', config: { template: 'newsletter' }, position: { x: 0, y: 170 } },
    { id: 'n2', type: 'exit', config: {}, position: { x: 0, y: 340 } },
  ],
  edges: [
    { id: 'e1', source: 'n0', target: 'n1' },
    { id: 'e2', source: 'n1', sourceHandle: 'next', target: 'n2' },
  ],
  settings: { reEntry: { mode: 'never' } },
};

/**
 * The script index.html loads first and its size in kB (what every first visit downloads and
 * parses), and whether it is a development build (React's development JSX runtime), which renders
 * the canvas about twice as slowly and must never be what is measured.
 */
function mainBundle(): { file: string; kb: number; development: boolean } {
  const html = readFileSync(path.join(uiDist, 'index.html'), 'utf8');
  const src = /<script[^>]+src="\/?([^"]+\.js)"/.exec(html)?.[1];
  if (!src) return { file: '(none)', kb: 0, development: false };
  const file = path.join(uiDist, src);
  return {
    file: src,
    kb: Math.round(statSync(file).size / 1024),
    development: /\bjsxDEV\b/.test(readFileSync(file, 'utf8')),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  await ensureUiBuilt();
  const database = await createDb({});
  const workspace = await createWorkspace(database.db, 'Bench');
  const journey = await createJourney(database.db, workspace.id, generatedJourney());
  const small = await createJourney(database.db, workspace.id, smallJourney);
  const demoDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-bench-demo-'));
  const demoUser = await ensureDemoUser(database.db, demoDir, workspace.id);
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = await buildApp({
    db: database.db,
    database,
    temporal,
    taskQueue: 'bench',
    registry: createRegistry(),
    secretBox: new SecretBox(randomBytes(32)),
    uiDist,
    // The browser is signed in as the workspace's owner, as `npm start` signs in a local browser.
    identity: { ...defaultIdentitySettings, demoAutologin: { userId: demoUser.id } },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wayline-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // The renderer's busy time (CDP TaskDuration) says what the page itself cost, which a loaded
  // shared machine stretches less than the wall clock.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const busyMs = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as {
      metrics: { name: string; value: number }[];
    };
    return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
  };
  /** Opens a journey, waits for its `count` nodes, clicks the first: render, interaction and renderer busy ms. */
  const open = async (journeyId: string, count: number) => {
    await page.goto('about:blank');
    const busyBefore = await busyMs();
    const started = Date.now();
    await page.goto(`${url}/journeys/${journeyId}`);
    await page.waitForFunction(
      (count) => {
        const drawn = document.querySelectorAll('.react-flow__node');
        return (
          drawn.length === count && [...drawn].every((n) => (n as HTMLElement).style.visibility !== 'hidden')
        );
      },
      count,
      { polling: 'raf', timeout: 60_000 },
    );
    const rendered = Date.now();
    await page.locator('.react-flow__node[data-id="n0"]').click();
    await page.locator('[data-node-panel="n0"]').waitFor({ timeout: 60_000 });
    const answered = Date.now();
    const busy = Math.round((await busyMs()) - busyBefore);
    // Pointer moves over the canvas, once the page is at rest: what hovering costs the renderer
    // (each move hit-tests the cards under the canvas).
    await page.waitForTimeout(300);
    const pointerBefore = await busyMs();
    for (let k = 0; k < POINTER_MOVES; k++) await page.mouse.move(500 + (k % 5) * 97, 200 + (k % 7) * 83);
    const pointer = Math.round((await busyMs()) - pointerBefore);
    return { render: rendered - started, interaction: answered - rendered, busy, pointer };
  };
  const render: number[] = [];
  const interaction: number[] = [];
  const busy: number[] = [];
  const pointer: number[] = [];
  const pointerFew: number[] = [];
  const baseline: number[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      const few = await open(small.id, smallJourney.nodes.length);
      const many = await open(journey.id, NODES);
      // The first run warms the browser's caches and is not counted.
      if (run === 0) continue;
      render.push(many.render);
      interaction.push(many.interaction);
      busy.push(many.busy);
      pointer.push(many.pointer);
      pointerFew.push(few.pointer);
      baseline.push(few.render + few.interaction);
      console.log(
        `run ${run}: render ${many.render} ms, interaction ${many.interaction} ms, renderer busy ${many.busy} ms, ${POINTER_MOVES} pointer moves ${many.pointer} ms; 3-node journey ${few.render + few.interaction} ms (pointer moves ${few.pointer} ms)`,
      );
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(demoDir, { recursive: true, force: true });
    await app.close();
    await database.close();
  }
  const tti = render.map((r, i) => r + interaction[i]);
  console.log(
    `\n${NODES} nodes, ${runs} runs: render p50 ${median(render)} ms; interaction p50 ${median(interaction)} ms; ` +
      `time to interactive p50 ${median(tti)} ms, max ${Math.max(...tti)} ms; renderer busy p50 ${median(busy)} ms; ` +
      `${POINTER_MOVES} pointer moves p50 ${median(pointer)} ms of renderer time (3-node journey ${median(pointerFew)} ms)`,
  );
  const bundle = mainBundle();
  console.log(`main bundle ${bundle.file}: ${bundle.kb} kB`);
  if (bundle.development)
    console.log(
      `WARNING: ${uiDist} holds a development build (built with NODE_ENV other than production): delete it and run again`,
    );
  reportResult({
    name: 'builder time to interactive, 300 nodes',
    baseline: 'the same page with a 3-node journey, same browser and run',
    unit: 'ms',
    values: tti,
    baselineValues: baseline,
    note: `p50 ${median(tti)} ms, target ${TARGET_MS} ms: ${median(tti) <= TARGET_MS ? 'met' : 'not met'}; main bundle ${bundle.kb} kB${bundle.development ? ' (DEVELOPMENT build: not comparable)' : ''}`,
    extra: {
      renderP50: median(render),
      interactionP50: median(interaction),
      busyP50: median(busy),
      pointerMovesP50: median(pointer),
      pointerMovesSmallP50: median(pointerFew),
      mainBundleKb: bundle.kb,
      developmentBuild: bundle.development,
    },
  });
}

await main();
