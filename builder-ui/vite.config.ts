import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
// `vite --config builder-ui/vite.config.ts` serves the UI with hot reload against a running `npm start`.
const api = process.env.WAYLINE_API ?? 'http://127.0.0.1:4100';

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: path.join(root, 'dist'), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/v1': api, '/ui-config.json': api } },
});
