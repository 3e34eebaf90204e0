import type { ApiKeyScope, Role } from '../../db/schema';
import type { AuditActor } from '../identity/audit';

/** Who is calling: a signed-in user acting in one workspace, or an API key of one workspace. */
export type Principal =
  | { kind: 'user'; userId: string; email: string; role: Role; workspaceId: string; sessionId: string }
  | { kind: 'api-key'; keyId: string; keyPrefix: string; scopes: ApiKeyScope[]; workspaceId: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth layer on every authenticated route; every query is scoped by `workspaceId`. */
    principal: Principal;
  }
}

/** The audit log's actor for a principal. */
export function actorOf(principal: Principal): AuditActor {
  return principal.kind === 'user'
    ? { type: 'user', id: principal.userId, label: principal.email }
    : { type: 'api-key', id: principal.keyId, label: principal.keyPrefix };
}
