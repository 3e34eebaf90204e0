import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database } from '../../db';
import { auditLog, memberships, users, userTokens, workspaces } from '../../db/schema';
import { runAdmin } from '../../engine/cli-admin';
import { loadConfig } from '../../engine/config';
import { bearer, testApp } from '../helpers/app';
import { databaseKinds } from '../helpers/databases';
import { devServerTemporal } from '../helpers/temporal';

const root = path.resolve(import.meta.dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.each(databaseKinds())('wayline admin (child processes of bin/wayline.mjs, %s)', (kind) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let workspaceId: string;
  let key: string;
  let signInToken: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'wayline-admin-'));
    if (kind === 'postgres') {
      const adminUrl = process.env.TEST_DATABASE_URL!;
      const name = `wayline_admin_${randomBytes(6).toString('hex')}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dropDatabase = async () => {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      };
    }
  });
  afterAll(async () => {
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The database the CLI used, opened in this process once the child has exited. */
  const openDb = (): Promise<Database> =>
    createDb(
      databaseUrl ? { url: databaseUrl, maxConnections: 2 } : { dataDir: path.join(dataDir, 'pglite') },
    );

  /** The environment `wayline admin` runs with: this test's data folder or server database. */
  const adminEnv = (extraEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WAYLINE_DATA_DIR: dataDir,
      PUBLIC_URL: 'https://wayline.example.com',
    };
    delete env.DATABASE_URL;
    if (databaseUrl) env.DATABASE_URL = databaseUrl;
    return Object.assign(env, extraEnv);
  };

  const admin = (args: string[], stdin?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'wayline.mjs'), 'admin', ...args], {
        cwd: root,
        env: adminEnv(extraEnv),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });

  /**
   * The same command through `runAdmin` in this process, as the binary calls it (its code is the
   * process's exit status): for the many refusals, each of which would otherwise start a process.
   */
  const adminInProcess = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => {
    const run = { stdout: '', stderr: '' };
    const code = await runAdmin(args, () => loadConfig(adminEnv(extraEnv)), {
      out: (line) => {
        run.stdout += `${line}\n`;
      },
      err: (line) => {
        run.stderr += `${line}\n`;
      },
    });
    return { code, ...run };
  };

  it('creates a workspace and prints its id', async () => {
    const run = await admin(['create-workspace', '--name', 'Acme Marketing', '--timezone', 'Europe/Paris']);
    expect(run.stderr).toContain('Created workspace "Acme Marketing"');
    expect(run.code).toBe(0);
    workspaceId = run.stdout.trim();
    expect(workspaceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses bad arguments with exit code 2 and names the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['create-workspace'], /--name is required/],
      [['create-workspace', '--name', 'X', '--timezone', 'Mars/Olympus'], /--timezone/],
      [
        ['create-user', '--email', 'a@example.com', '--workspace', workspaceId, '--role', 'boss'],
        /--role must be one of owner/,
      ],
      [['create-user', '--email', 'not-an-email', '--workspace', workspaceId, '--role', 'owner'], /--email/],
      [['create-key', '--workspace', 'acme', '--scopes', 'read'], /--workspace must be a workspace id/],
      [['create-key', '--workspace', workspaceId, '--scopes', 'read,root'], /--scopes: Unknown scope "root"/],
      [['create-key', '--workspace', workspaceId], /--scopes is required/],
      [
        ['create-key', '--workspace', '00000000-0000-4000-8000-000000000000', '--scopes', 'read'],
        /Workspace .* does not exist/,
      ],
      [['create-workspace', '--nmae', 'typo'], /--nmae/],
      [['rename-workspace'], /Unknown admin command "rename-workspace"/],
    ];
    // Flag checks do not depend on the database: on Postgres only the one that reads it. That one
    // and the first run as processes of the binary (the exit status); the others in this process.
    const spawned = (m: RegExp) => /exist|--name is required/.test(m.source);
    for (const [args, message] of kind === 'pglite'
      ? cases
      : cases.filter(([, m]) => /exist/.test(m.source))) {
      const run = spawned(message) ? await admin(args) : await adminInProcess(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    if (kind === 'pglite') {
      const badSetting = await adminInProcess(['list-workspaces'], { DATABASE_URL: 'not a url' });
      expect(badSetting.code).toBe(2);
      expect(badSetting.stderr).toMatch(/DATABASE_URL: Invalid URL/);
    }
  }, 180_000);

  it('creates the owner with a one-time sign-in link valid 24 hours', async () => {
    const run = await admin([
      'create-user',
      '--email',
      'Owner@Example.com',
      '--workspace',
      workspaceId,
      '--role',
      'owner',
    ]);
    expect(run.code).toBe(0);
    const link = run.stdout.trim();
    expect(link).toMatch(/^https:\/\/wayline\.example\.com\/sign-in\/link#token=[\w-]{40,}$/);
    const token = decodeURIComponent(link.split('#token=')[1]);
    signInToken = token;

    const database = await openDb();
    try {
      const [user] = await database.db.select().from(users).where(eq(users.email, 'owner@example.com'));
      expect(user.passwordHash).toBeNull();
      const [member] = await database.db.select().from(memberships).where(eq(memberships.userId, user.id));
      expect(member).toMatchObject({ workspaceId, role: 'owner' });
      const [row] = await database.db.select().from(userTokens).where(eq(userTokens.userId, user.id));
      expect(row).toMatchObject({
        purpose: 'sign-in',
        workspaceId,
        usedAt: null,
        email: 'owner@example.com',
      });
      expect(row.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
      const ttl = row.expiresAt.getTime() - row.createdAt.getTime();
      expect(ttl).toBe(24 * 3600 * 1000);
    } finally {
      await database.close();
    }
  });

  it('sets a password read from stdin, hashed with argon2id, and refuses a weak one', async () => {
    const weak = await admin(
      [
        'create-user',
        '--email',
        'weak@example.com',
        '--workspace',
        workspaceId,
        '--role',
        'analyst',
        '--password-stdin',
      ],
      'password\n',
    );
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/--password-stdin/);

    const run = await admin(
      [
        'create-user',
        '--email',
        'analyst@example.com',
        '--workspace',
        workspaceId,
        '--role',
        'analyst',
        '--password-stdin',
      ],
      'violet-kettle-orbit-42\n',
    );
    expect(run.stderr).toContain('Password set');
    expect(run.code).toBe(0);
    const database = await openDb();
    try {
      const [user] = await database.db.select().from(users).where(eq(users.email, 'analyst@example.com'));
      expect(user.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await verify(user.passwordHash!, 'violet-kettle-orbit-42')).toBe(true);
      expect(await database.db.select().from(users).where(eq(users.email, 'weak@example.com'))).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('creates a key that authenticates against the API within its scopes', async () => {
    const run = await admin([
      'create-key',
      '--workspace',
      workspaceId,
      '--scopes',
      'read,write',
      '--name',
      'CI',
    ]);
    expect(run.code).toBe(0);
    key = run.stdout.trim();
    expect(key).toMatch(/^wl_sk_/);

    const listed = await admin(['list-workspaces']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${workspaceId}\tAcme Marketing\tEurope/Paris\t2 members`);

    const database = await openDb();
    const temporal = await devServerTemporal();
    const app = await testApp(database, temporal);
    try {
      const journeys = await app.inject({ method: 'GET', url: '/v1/journeys', headers: bearer(key) });
      expect(journeys.statusCode).toBe(200);
      expect(journeys.json().data).toEqual([]);
      const keys = await app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(key),
        payload: { name: 'more', scopes: ['admin'] },
      });
      expect(keys.statusCode).toBe(403);

      const signIn = await app.inject({
        method: 'POST',
        url: '/v1/auth/sign-in/link',
        payload: { token: signInToken },
      });
      expect(signIn.statusCode).toBe(200);
      const again = await app.inject({
        method: 'POST',
        url: '/v1/auth/sign-in/link',
        payload: { token: signInToken },
      });
      expect(again.statusCode).toBe(400);
      const actions = (
        await database.db
          .select()
          .from(auditLog)
          .where(eq(auditLog.workspaceId, workspaceId))
          .orderBy(auditLog.seq)
      ).map((r) => [r.action, r.actorType, r.actorLabel]);
      expect(actions.slice(0, 4)).toEqual([
        ['workspace.create', 'system', 'wayline admin'],
        ['member.add', 'system', 'wayline admin'],
        ['member.add', 'system', 'wayline admin'],
        ['api-key.create', 'system', 'wayline admin'],
      ]);
    } finally {
      await app.close();
      await temporal.close();
      await database.close();
    }
  });

  it('verify-audit exits 0 on an intact log and 1 naming the row after tampering', async () => {
    const intact = await admin(['verify-audit']);
    expect(intact.stdout).toMatch(/Audit log intact: \d+ rows verified/);
    expect(intact.code).toBe(0);
    expect((await admin(['verify-audit', '--workspace', workspaceId])).code).toBe(0);

    const database = await openDb();
    let seq: number;
    try {
      [{ seq }] = await database.db
        .select({ seq: auditLog.seq })
        .from(auditLog)
        .where(eq(auditLog.action, 'api-key.create'))
        .orderBy(auditLog.seq)
        .limit(1);
      await database.db.execute(sql`update audit_log set change = '{"scopes":["admin"]}' where seq = ${seq}`);
    } finally {
      await database.close();
    }
    const broken = await admin(['verify-audit', '--workspace', workspaceId]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`row ${seq} of workspace ${workspaceId} was altered`);
    expect((await admin(['verify-audit'])).code).toBe(1);
  }, 120_000);

  it('exports a workspace to a file and imports it as a new one owned by an existing account', async () => {
    const file = path.join(dataDir, 'acme.ndjson.gz');
    const exported = await admin(['export-workspace', '--workspace', workspaceId, '--out', file]);
    expect(exported.stderr).toContain(`Exported workspace ${workspaceId}`);
    expect(exported.code).toBe(0);
    const imported = await admin([
      'import-workspace',
      '--file',
      file,
      '--name',
      'Acme copy',
      '--owner',
      'owner@example.com',
    ]);
    expect(imported.stderr).toContain('Imported "Acme copy"');
    expect(imported.code).toBe(0);
    const copyId = imported.stdout.trim();
    const database = await openDb();
    try {
      const [copy] = await database.db.select().from(workspaces).where(eq(workspaces.id, copyId));
      expect(copy).toMatchObject({ name: 'Acme copy', defaultTimezone: 'Europe/Paris' });
      const owners = await database.db
        .select({ email: users.email, role: memberships.role })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.workspaceId, copyId));
      expect(owners).toEqual([{ email: 'owner@example.com', role: 'owner' }]);
    } finally {
      await database.close();
    }
    const missing = await admin(['import-workspace', '--file', path.join(dataDir, 'missing.gz')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--file');
  }, 300_000);
});
