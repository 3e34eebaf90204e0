import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useSwitchWorkspace } from '../api/auth';
import type { Me } from '../api/session';
import { Dropdown } from '../components/Dropdown';
import { errorText } from '../components/ErrorAlert';
import { CreateWorkspaceDialog } from './CreateWorkspaceDialog';
import './layout.css';

/** Pages of one object (`/journeys/:id`) belong to the old workspace: go up to their list. */
function pathAfterSwitch(pathname: string): string {
  if (pathname.startsWith('/settings')) return pathname;
  const area = pathname.split('/')[1];
  return area ? `/${area}` : '/';
}

/** The active workspace with the user's role there; switches to another or creates one. */
export function WorkspaceSwitcher(props: { me: Me }) {
  const switchTo = useSwitchWorkspace();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [creating, setCreating] = useState(false);
  const current = props.me.workspaces.find((w) => w.id === props.me.workspaceId);
  const go = (workspaceId: string) =>
    switchTo.mutate(workspaceId, { onSuccess: () => navigate(pathAfterSwitch(pathname)) });

  return (
    <>
      <Dropdown
        testId="workspace-switcher"
        className="workspace-switcher"
        label={
          <span className="workspace-current">
            <span className="workspace-name">{current?.name ?? 'No workspace'}</span>
            {props.me.role && <span className="role-chip">{props.me.role}</span>}
          </span>
        }
      >
        {(close) => (
          <>
            <div className="dropdown-heading">Your workspaces</div>
            {props.me.workspaces.map((workspace) => (
              <button
                key={workspace.id}
                type="button"
                role="menuitemradio"
                aria-checked={workspace.id === props.me.workspaceId}
                className="dropdown-item"
                data-workspace={workspace.name}
                onClick={() => {
                  close();
                  if (workspace.id !== props.me.workspaceId) go(workspace.id);
                }}
              >
                <span className="check">{workspace.id === props.me.workspaceId ? '✓' : ''}</span>
                <span className="grow">{workspace.name}</span>
                <span className="muted">{workspace.role}</span>
              </button>
            ))}
            <hr />
            <button
              type="button"
              role="menuitem"
              className="dropdown-item"
              onClick={() => {
                close();
                setCreating(true);
              }}
            >
              <span className="check">+</span> Create workspace…
            </button>
          </>
        )}
      </Dropdown>
      {switchTo.error && (
        <span className="topnav-error" role="alert">
          {errorText(switchTo.error)}
        </span>
      )}
      {creating && (
        <CreateWorkspaceDialog
          onClose={() => setCreating(false)}
          onCreated={(workspace) => {
            setCreating(false);
            go(workspace.id);
          }}
        />
      )}
    </>
  );
}
