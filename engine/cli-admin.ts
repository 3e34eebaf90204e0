import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGunzip, createGzip } from 'node:zlib';
import { z } from 'zod';
import { createDb, type Database } from '../db';
import { API_KEY_SCOPES, ROLES, type Role } from '../db/schema';
import { type Config, ConfigInvalid } from './config';
import { DomainError } from './errors';
import { normalizeScopes } from './identity/api-keys';
import { verifyAuditChain } from './identity/audit';
import { listWorkspaces, provisionApiKey, provisionUser, provisionWorkspace } from './identity/provisioning';
import { issueSignInLink } from './identity/sign-in-links';
import { findUserByEmail } from './identity/users';
import { exportWorkspace, importWorkspace, linesOf } from './operations/workspace-archive';
import { isValidTimeZone } from './time/zoned';

/** Wrong or missing flags: the message names the flag; the process exits with 2. */
class UsageError extends Error {}

export const ADMIN_USAGE = `Usage: wayline admin <command> [flags]

  create-workspace --name NAME [--timezone ZONE]
      Creates an empty workspace and prints its id.
  create-user --email EMAIL --workspace ID --role ROLE [--password-stdin]
      Creates the account (or finds it) and gives it ROLE in the workspace. Prints a one-time
      sign-in link valid 24 h, or, with --password-stdin, sets the password read from stdin.
      Roles: ${ROLES.join(', ')}.
  create-key --workspace ID --scopes SCOPE[,SCOPE] [--name NAME]
      Creates an API key and prints it once. Scopes: ${API_KEY_SCOPES.join(', ')}
      ("ingest" alone makes a tracking write key, wl_wk_…).
  list-workspaces
      Every workspace with its id, time zone and member count.
  verify-audit [--workspace ID]
      Recomputes the audit log's hash chains; exits 1 naming the first broken row.
  export-workspace --workspace ID --out FILE
      Writes the workspace's archive (gzip-compressed JSON lines, as GET /v1/workspace/export).
  import-workspace --file FILE [--name NAME] [--owner EMAIL]
      Creates a workspace from an archive, all or nothing, and prints its id. --owner (an
      existing account) becomes its owner and stands in for people of the archive missing here.

Works against DATABASE_URL when set, else the embedded database in WAYLINE_DATA_DIR.
Temporal is not needed. Exit codes: 0 done, 1 failed or audit log broken, 2 bad arguments.`;

type Out = { out: (line: string) => void; err: (line: string) => void };
type Flags = Record<string, string | boolean | undefined>;

const flagSpecs = {
  'create-workspace': { name: { type: 'string' }, timezone: { type: 'string' } },
  'create-user': {
    email: { type: 'string' },
    workspace: { type: 'string' },
    role: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  },
  'create-key': { workspace: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' } },
  'list-workspaces': {},
  'verify-audit': { workspace: { type: 'string' } },
  'export-workspace': { workspace: { type: 'string' }, out: { type: 'string' } },
  'import-workspace': { file: { type: 'string' }, name: { type: 'string' }, owner: { type: 'string' } },
} as const;

type Command = keyof typeof flagSpecs;

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

function workspaceFlag(flags: Flags): string {
  const id = required(flags, 'workspace');
  if (!z.uuid().safeParse(id).success) {
    throw new UsageError(`--workspace must be a workspace id (a UUID, see list-workspaces), not "${id}"`);
  }
  return id;
}

/**
 * Runs `wayline admin <command>` and returns the exit code. The printed result (an id, a link,
 * a key) goes to stdout alone, so scripts can capture it; explanations go to stderr.
 */
export async function runAdmin(
  argv: string[],
  configOf: () => Config,
  io: Out & { readStdin?: () => Promise<string> } = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    (command ? io.out : io.err)(ADMIN_USAGE);
    return command ? 0 : 2;
  }
  if (!(command in flagSpecs)) {
    io.err(`Unknown admin command "${command}".\n\n${ADMIN_USAGE}`);
    return 2;
  }
  let flags: Flags;
  try {
    flags = parseArgs({
      args: rest,
      options: flagSpecs[command as Command],
      strict: true,
      allowPositionals: false,
    }).values as Flags;
  } catch (error) {
    io.err(`${(error as Error).message}\n\nRun "wayline admin help" for the flags of each command.`);
    return 2;
  }

  let config: Config;
  try {
    config = configOf();
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    io.err(error.message);
    return 2;
  }

  let database: Database | undefined;
  try {
    const open = () =>
      createDb(
        config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: path.join(config.dataDir, 'pglite') },
      );
    switch (command as Command) {
      case 'create-workspace': {
        const name = required(flags, 'name');
        if (name.length > 200) throw new UsageError('--name must be at most 200 characters');
        const timezone = typeof flags.timezone === 'string' ? flags.timezone : 'UTC';
        if (!isValidTimeZone(timezone)) {
          throw new UsageError(
            `--timezone must be an IANA time zone such as Europe/Paris, not "${timezone}"`,
          );
        }
        database = await open();
        const workspace = await provisionWorkspace(database.db, { name, defaultTimezone: timezone });
        io.err(`Created workspace "${workspace.name}" (${workspace.defaultTimezone}):`);
        io.out(workspace.id);
        return 0;
      }
      case 'create-user': {
        const email = required(flags, 'email');
        if (!z.email().safeParse(email).success)
          throw new UsageError(`--email must be an email address, not "${email}"`);
        const workspaceId = workspaceFlag(flags);
        const role = required(flags, 'role');
        if (!(ROLES as readonly string[]).includes(role)) {
          throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not "${role}"`);
        }
        let password: string | undefined;
        if (flags['password-stdin']) {
          if (process.stdin.isTTY && !io.readStdin) io.err('Type the password, then press Enter and Ctrl-D:');
          password = (await (io.readStdin ?? readStdin)()).replace(/\r?\n$/, '');
          if (password === '') throw new UsageError('--password-stdin: stdin held no password');
        }
        database = await open();
        const user = await provisionUser(database.db, { email, workspaceId, role: role as Role, password });
        const joined =
          user.role === role ? `as ${user.role}` : `(already a member as ${user.role}; role unchanged)`;
        io.err(
          `${user.created ? 'Created' : 'Found'} user ${user.email} in workspace ${workspaceId} ${joined}.`,
        );
        if (password !== undefined) {
          io.err('Password set. They sign in with it at the builder.');
          io.out(user.userId);
        } else {
          const { link, expiresAt } = await issueSignInLink(
            database.db,
            config.publicUrl,
            { id: user.userId, email: user.email },
            workspaceId,
          );
          io.err(`One-time sign-in link (valid until ${expiresAt.toISOString()}):`);
          io.out(link);
        }
        return 0;
      }
      case 'create-key': {
        const workspaceId = workspaceFlag(flags);
        let scopes: string[];
        try {
          scopes = normalizeScopes(
            required(flags, 'scopes')
              .split(',')
              .map((s) => s.trim()),
          );
        } catch (error) {
          throw error instanceof DomainError ? new UsageError(`--scopes: ${error.message}`) : error;
        }
        const name = typeof flags.name === 'string' ? flags.name.trim() : undefined;
        if (name === '') throw new UsageError('--name must not be empty');
        database = await open();
        const key = await provisionApiKey(database.db, { workspaceId, scopes, name });
        io.err(
          `Created ${key.kind} key "${key.name}" with scopes ${key.scopes.join(',')}; it is shown only now:`,
        );
        io.out(key.key);
        return 0;
      }
      case 'list-workspaces': {
        database = await open();
        const rows = await listWorkspaces(database.db);
        if (rows.length === 0) io.err('No workspaces yet: wayline admin create-workspace --name NAME');
        for (const row of rows) {
          io.out(
            [
              row.id,
              row.name,
              row.defaultTimezone,
              `${row.members} members`,
              row.createdAt.toISOString(),
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'verify-audit': {
        const workspaceId = typeof flags.workspace === 'string' ? workspaceFlag(flags) : undefined;
        database = await open();
        const report = await verifyAuditChain(database.db, workspaceId);
        if (report.intact) {
          io.out(`Audit log intact: ${report.rows} rows verified.`);
          return 0;
        }
        const what =
          report.reason === 'altered'
            ? 'was altered'
            : 'does not follow the row before it (a row was removed)';
        io.out(
          `Audit log BROKEN: row ${report.seq} of ${report.workspaceId ? `workspace ${report.workspaceId}` : 'the global chain'} ${what}.`,
        );
        return 1;
      }
      case 'export-workspace': {
        const workspaceId = workspaceFlag(flags);
        const out = required(flags, 'out');
        database = await open();
        await pipeline(
          Readable.from(exportWorkspace(database.db, workspaceId)),
          createGzip(),
          createWriteStream(out),
        );
        io.err(`Exported workspace ${workspaceId} to ${out}.`);
        return 0;
      }
      case 'import-workspace': {
        const file = required(flags, 'file');
        const name = typeof flags.name === 'string' ? flags.name.trim() : undefined;
        if (name === '' || (name && name.length > 200))
          throw new UsageError('--name must be 1 to 200 characters');
        database = await open();
        let ownerUserId: string | undefined;
        if (typeof flags.owner === 'string') {
          const owner = await findUserByEmail(database.db, flags.owner.trim());
          if (!owner) throw new UsageError(`--owner: no account with the email "${flags.owner}"`);
          ownerUserId = owner.id;
        }
        let head: Buffer;
        try {
          const handle = openSync(file, 'r');
          head = Buffer.alloc(2);
          readSync(handle, head, 0, 2, 0);
          closeSync(handle);
        } catch (error) {
          throw new UsageError(`--file: ${(error as Error).message}`);
        }
        const source = createReadStream(file);
        const gzipped = head[0] === 0x1f && head[1] === 0x8b;
        const imported = await importWorkspace(
          database.db,
          linesOf(gzipped ? source.pipe(createGunzip()) : source),
          { name, ownerUserId },
        );
        const rows = Object.values(imported.counts).reduce((sum, n) => sum + n, 0);
        io.err(`Imported "${imported.name}" (${rows} rows); its journeys are paused until resumed:`);
        io.out(imported.workspaceId);
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof DomainError && error.expected) {
      const flag = error.field === 'password' ? ' (--password-stdin)' : '';
      io.err(`${error.message}${flag}`);
      return 2;
    }
    io.err(`wayline admin ${command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await database?.close();
  }
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
