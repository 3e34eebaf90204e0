import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db';
import type { ApiKeyScope } from '../../db/schema';
import { Forbidden } from '../errors';
import { authenticateApiKey } from '../identity/api-keys';
import { type AuditActor, type AuditEntry, recordAudit } from '../identity/audit';
import { type Permission, permissionsOfRole, permissionsOfScopes } from '../identity/permissions';
import { actorOf, type Principal } from './principal';

/** Who made a request, as the audit log names them, and what a key caller may do. */
export interface Caller {
  workspaceId: string;
  actor: AuditActor;
  /** The user's id when a person signed in; null for keys. */
  userId: string | null;
  /** A key's scopes; null for signed-in users, whose role the auth layer checks. */
  scopes: ApiKeyScope[] | null;
  /** What the caller may do: its role's or its scopes' permissions; null for the system. */
  permissions: readonly Permission[] | null;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/**
 * The caller of an authenticated request. Reads `request.principal`; where an auth layer sets
 * only `request.workspaceId`, resolves the bearer key again (no write: its use was just marked).
 */
export async function callerOf(request: FastifyRequest, deps: { db: Db }): Promise<Caller> {
  const known = callers.get(request);
  if (known) return known;
  const principal = request.principal as Principal | undefined;
  let caller: Caller;
  if (principal) {
    caller = {
      workspaceId: principal.workspaceId,
      actor: actorOf(principal),
      userId: principal.kind === 'user' ? principal.userId : null,
      scopes: principal.kind === 'api-key' ? principal.scopes : null,
      permissions:
        principal.kind === 'user' ? permissionsOfRole(principal.role) : permissionsOfScopes(principal.scopes),
    };
  } else {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const key = bearer ? await authenticateApiKey(deps.db, bearer) : undefined;
    caller =
      key && key.workspaceId === request.workspaceId
        ? {
            workspaceId: key.workspaceId,
            actor: { type: 'api-key', id: key.keyId, label: key.prefix },
            userId: null,
            scopes: key.scopes,
            permissions: permissionsOfScopes(key.scopes),
          }
        : {
            workspaceId: request.workspaceId,
            actor: { type: 'system' },
            userId: null,
            scopes: null,
            permissions: null,
          };
  }
  callers.set(request, caller);
  return caller;
}

export type RouteAuditEntry = Omit<AuditEntry, 'workspaceId' | 'actor' | 'ip' | 'userAgent'>;

/** Records what the request did in its workspace's audit log, with its actor, address and user agent. */
export async function audit(
  request: FastifyRequest,
  deps: { db: Db },
  entry: RouteAuditEntry,
): Promise<void> {
  const caller = await callerOf(request, deps);
  await recordAudit(deps.db, {
    ...entry,
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  });
}

/**
 * Where the auth layer has not vetted the request (it sets `request.principal` once it checks
 * permissions), a key caller still needs the scope that grants `permission`.
 */
export async function requireKeyPermission(
  request: FastifyRequest,
  deps: { db: Db },
  permission: Permission,
  denied?: { action: string; objectType: string; objectId?: string },
): Promise<void> {
  if (request.principal) return;
  const caller = await callerOf(request, deps);
  if (!caller.scopes || permissionsOfScopes(caller.scopes).includes(permission)) return;
  if (denied) {
    await recordAudit(deps.db, {
      ...denied,
      workspaceId: caller.workspaceId,
      actor: caller.actor,
      outcome: 'denied',
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
  }
  throw new Forbidden('permission_denied', `This API key lacks the permission ${permission}`, {
    permission,
  });
}
