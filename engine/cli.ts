/**
 * The `wayline` command. Each command loads only what it needs: `admin` the database and the
 * identity code (no Temporal runtime, server or worker), `journeys` an HTTP client for a running
 * API, and `start`, `api`, `worker` and `migrate` the engine (`cli-serve.ts`).
 */
const command = process.argv[2] ?? 'start';
if (command === 'admin') {
  const [{ runAdmin }, { loadConfig }] = await Promise.all([import('./cli-admin'), import('./config')]);
  process.exit(await runAdmin(process.argv.slice(3), loadConfig));
} else if (command === 'journeys') {
  const { runJourneysCommand } = await import('./cli-journeys');
  process.exit(await runJourneysCommand(process.argv.slice(3)));
} else {
  const { serve } = await import('./cli-serve');
  await serve(command);
}

export {};
