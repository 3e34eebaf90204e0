/**
 * Bundles workflows in a short-lived process, as `npm start` does, so webpack's memory is not
 * counted in the benchmark's own:
 *   node --import tsx bench/helpers/bundle.ts <workflows file> <output file>
 * `bundleInChild` runs it and returns the bundle's path for `Worker.create({ workflowBundle })`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietBundlerLogger } from '../../engine/temporal/worker';

export function bundleInChild(workflowsPath: string, out: string): { codePath: string } {
  execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, workflowsPath, out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { codePath: out };
}

if (process.argv[1] === import.meta.filename) {
  const [workflowsPath, out] = process.argv.slice(2);
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  writeFileSync(out, code);
}
