import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A page on a shared, busy machine may take seconds to load its lazy route: polls wait for it.
    expect: { poll: { timeout: 20_000 } },
    reporters: ['default'],
  },
});
