/**
 * `npm run bench [name…]`: runs every benchmark in bench/ one after another (or those whose file
 * name contains one of the names), each in its own process with its defaults; each prints its
 * ratios against a baseline measured in the same run. Results go into docs/BENCHMARKS.md by hand.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.ts') && name !== 'run-all.ts')
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.includes(w)))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench/${name} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, name)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
console.log(`\n${benches.length - failed} benchmarks finished, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
