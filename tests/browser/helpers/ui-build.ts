import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const uiRoot = path.resolve(import.meta.dirname, '..', '..', '..', 'builder-ui');
/** `WAYLINE_TEST_UI_DIST` builds and serves the UI from another folder, so parallel runs never share a build. */
export const uiDist = process.env.WAYLINE_TEST_UI_DIST
  ? path.resolve(process.env.WAYLINE_TEST_UI_DIST)
  : path.join(uiRoot, 'dist');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the UI with vite when dist is missing or older than its sources. */
export async function ensureUiBuilt(): Promise<void> {
  const index = path.join(uiDist, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(path.join(uiRoot, 'src'))) return;
  const { build } = await import('vite');
  await build({
    configFile: path.join(uiRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: uiDist, emptyOutDir: true },
  });
}
