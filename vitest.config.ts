import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests of pure functions: no database, no Temporal, no `testNode` (it keeps one PGlite a process),
 * no module-level state a test changes. They share one module graph a worker (`isolate: false`)
 * instead of importing it again for every file. A test that needs more belongs elsewhere.
 */
const pureTests = [
  'tests/builder-ui/**/*.test.ts',
  'tests/connectors/{facebook,slack,twilio-sms,web-push,webhook,wechat,x}.test.ts',
  'tests/engine/analytics/{affinity,clv,forecast}.test.ts',
  'tests/engine/audience/hooks/signature.test.ts',
  'tests/engine/audience/ingest/normalize.test.ts',
  'tests/engine/automation/holidays/presets.test.ts',
  'tests/engine/automation/journeys/{compile,templates,validate}.test.ts',
  'tests/engine/automation/triggers/date-occurrence.test.ts',
  'tests/engine/campaigns/roi.test.ts',
  'tests/engine/identity/{passwords,permissions}.test.ts',
  'tests/engine/messaging/policy/quiet-hours.test.ts',
  'tests/engine/messaging/templates/sms-segments.test.ts',
  'tests/engine/secret-key.test.ts',
  'tests/engine/time/zoned.test.ts',
  'tests/fuzz/journey-graphs.test.ts',
  'tests/workflows/journey-run-conditions.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A page on a shared, busy machine may take seconds to load its lazy route: polls wait for it.
    expect: { poll: { timeout: 20_000 } },
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'pure', include: pureTests, isolate: false } },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['tests/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...pureTests],
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
