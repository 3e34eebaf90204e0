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
  TEMPORAL_DEV_SYNCHRONOUS: z
    .enum(['normal', 'full'])
    .default('normal')
    .describe(
      'How the embedded Temporal dev server flushes its state file (SQLite synchronous, WAL mode): normal survives any process crash; full also the last moments before a power loss, at about half the throughput',
    ),
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
  WAYLINE_OUTBOX_RETENTION_HOURS: z.coerce
    .number()
    .positive()
    .default(1)
    .describe('Delivered outbox rows are deleted after this long (pending and dead rows stay)'),
  WAYLINE_SESSION_IDLE_HOURS: z.coerce
    .number()
    .positive()
    .default(12)
    .describe('A session unused for this long ends (sign in again)'),
  WAYLINE_SESSION_MAX_DAYS: z.coerce
    .number()
    .positive()
    .default(14)
    .describe('A session ends this long after sign-in, however active'),
  WAYLINE_SIGN_IN_MAX_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Failed sign-ins per account within 15 minutes before it is locked for the rest of the window'),
  WAYLINE_SIGN_IN_MAX_FAILURES_PER_IP: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Failed sign-ins per client address within 15 minutes'),
  WAYLINE_OIDC_ISSUER: z
    .string()
    .url()
    .optional()
    .describe('OpenID Connect issuer URL; enables single sign-on'),
  WAYLINE_OIDC_CLIENT_ID: z.string().optional(),
  WAYLINE_OIDC_CLIENT_SECRET: z.string().optional(),
  WAYLINE_DEMO_AUTOLOGIN: z
    .enum(['true', 'false', '1', '0', 'on', 'off'])
    .optional()
    .transform((value) => (value === undefined ? undefined : ['true', '1', 'on'].includes(value)))
    .describe('Sign a loopback browser in as the demo owner; default on for npm start, off for wayline api'),
  WAYLINE_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .describe('Origins allowed to call the management API from a browser (the tracking API is open to all)'),
  WAYLINE_RATE_LIMIT_TRACKING: z.coerce
    .number()
    .int()
    .min(1)
    // 1,000 a second: a shop's server posting single events from one address stays under it.
    .default(60_000)
    .describe('Requests per minute per client address to the tracking API and hook receivers'),
  WAYLINE_RATE_LIMIT_PUBLIC: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Requests per minute per client address to sign-in, password reset and invitation acceptance'),
  WAYLINE_RATE_LIMIT_LINKS: z.coerce
    .number()
    .int()
    .min(1)
    .default(600)
    .describe('Requests per minute per client address to tracked-link redirects and open pixels (/t/...)'),
  WAYLINE_ASSET_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024)
    .describe('Largest file an asset upload may be (bytes); larger ones get 413'),
  WAYLINE_S3_BUCKET: z
    .string()
    .min(1)
    .optional()
    .describe('Store assets in this S3 bucket (or S3-compatible storage) instead of the data folder'),
  WAYLINE_S3_ENDPOINT: z
    .string()
    .url()
    .optional()
    .describe('Endpoint of S3-compatible storage (MinIO, R2, ...)'),
  WAYLINE_S3_REGION: z.string().default('us-east-1'),
  WAYLINE_S3_ACCESS_KEY_ID: z.string().optional(),
  WAYLINE_S3_SECRET_ACCESS_KEY: z.string().optional(),
  WAYLINE_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((value) => value === 'true' || value === '1')
    .describe('Path-style bucket URLs (most S3-compatible servers need them)'),
  WAYLINE_S3_PREFIX: z.string().optional().describe('Key prefix inside the bucket, e.g. "wayline/"'),
  WAYLINE_WORKFLOW_BUNDLE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'wayline worker: a workflow bundle built from this code (engine/temporal/build-workflow-bundle.ts); skips bundling at start-up',
    ),
  WAYLINE_METRICS_PORT: port
    .optional()
    .describe('wayline worker: serve GET /metrics and GET /health on this port (on HOST); unset, none'),
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
