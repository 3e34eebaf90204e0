import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
// `vite --config builder-ui/vite.config.ts` serves the UI with hot reload against a running `npm start`.
const api = process.env.WAYLINE_API ?? 'http://127.0.0.1:4100';

export default defineConfig(({ command }) => ({
  root,
  plugins: [react()],
  // A build is always the production one (React without its development checks), also when the
  // environment says otherwise: vitest sets NODE_ENV=test, which made the browser tests' and the
  // builder benchmark's builds React's development build, twice as slow on a 300-node journey.
  ...(command === 'build'
    ? {
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        oxc: { jsx: { development: false } },
      }
    : {}),
  // Pages load lazily (routes.tsx): the main bundle is the shell; the largest chunk is the
  // template editor with CodeMirror (≈ 560 kB), so anything past 600 kB is worth a look.
  build: { outDir: path.join(root, 'dist'), emptyOutDir: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/v1': api, '/ui-config.json': api } },
}));
