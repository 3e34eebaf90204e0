import type { ReactNode } from 'react';
import './layout.css';
import { type Permission, useMe } from '../api/session';

/**
 * Shows the page only to a role holding one of the permissions; anyone else (who followed a link
 * or typed the address) is told which permission is missing. The server refuses the calls anyway.
 */
export function RequirePermission(props: { anyOf: readonly Permission[]; children: ReactNode }) {
  const me = useMe();
  if (props.anyOf.some((permission) => me.permissions.includes(permission))) return props.children;
  const workspace = me.workspaces.find((w) => w.id === me.workspaceId)?.name ?? 'this workspace';
  return (
    <div className="page">
      <div className="not-allowed" data-testid="not-allowed">
        <h1>Not allowed</h1>
        <p>
          Your role in {workspace} ({me.role ?? 'none'}) does not have the{' '}
          <code>{props.anyOf.join(' or ')}</code> permission this page needs. Ask an owner or admin of the
          workspace if you need it.
        </p>
      </div>
    </div>
  );
}
