import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(4100),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  WAYLINE_DATA_DIR: z.string().default('.wayline/data'),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: z.string().optional(),
  TEMPORAL_TEST_SERVER: z.string().optional(),
  WAYLINE_TASK_QUEUE: z.string().default('wayline-journeys'),
  WAYLINE_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (32 bytes)')
    .optional(),
  WAYLINE_PLUGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .describe('Comma-separated plugin folders (relative to the installation) or package names'),
  WAYLINE_SEND_RATE: z.coerce
    .number()
    .positive()
    .default(50)
    .describe('Sends per second per channel task queue, across all workers'),
  WAYLINE_SEND_RATES: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const rates: Record<string, number> = {};
      for (const entry of value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const match = /^([a-z]+)=(\d+(?:\.\d+)?)$/.exec(entry);
        if (!match || Number(match[2]) <= 0) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not channel=sends-per-second (e.g. email=10,sms=1)`,
          });
          return z.NEVER;
        }
        rates[match[1]] = Number(match[2]);
      }
      return rates;
    })
    .describe('Per-channel overrides of WAYLINE_SEND_RATE, e.g. "email=10,sms=1"'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema> & { root: string; dataDir: string; publicUrl: string };

export class ConfigInvalid extends Error {
  readonly code = 'config_invalid';
}

/** Reads every setting Wayline knows from the environment, with embedded-mode defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigInvalid(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const root = path.resolve(import.meta.dirname, '..');
  const values = parsed.data;
  return {
    ...values,
    root,
    dataDir: path.resolve(root, values.WAYLINE_DATA_DIR),
    publicUrl: values.PUBLIC_URL ?? `http://${values.HOST}:${values.PORT}`,
  };
}
