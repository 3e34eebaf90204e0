/**
 * Bundles the workflows once, for WAYLINE_WORKFLOW_BUNDLE:
 *   node --import tsx engine/temporal/build-workflow-bundle.ts .wayline/workflows.js
 * A `wayline worker` given the bundle skips bundling at start-up (the largest part of a restart
 * after a crash). Build it from the same code the workers run (the Dockerfile does, at image
 * build time); a bundle of other code would replay running journeys with other workflow code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from './worker';

const out = process.argv[2];
if (!out) {
  console.error('Usage: build-workflow-bundle.ts <output file>');
  process.exit(2);
}
const started = performance.now();
const code = await bundleWorkflows();
mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
writeFileSync(out, code);
console.log(
  `Workflow bundle written to ${out} (${Math.round(code.length / 1024)} KiB, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
