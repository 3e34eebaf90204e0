import { useState } from 'react';
import { useSwitchWorkspace } from '../api/auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { CreateWorkspaceDialog } from './CreateWorkspaceDialog';

/** A user without a workspace (the last one left or was removed) can start one. */
export function NoWorkspace() {
  const [creating, setCreating] = useState(false);
  const switchTo = useSwitchWorkspace();
  return (
    <div className="page">
      <h1>No workspace yet</h1>
      <p className="muted">
        You are not a member of any workspace. Ask an owner or admin for an invitation, or create your own.
      </p>
      <ErrorAlert error={switchTo.error} />
      <button type="button" className="primary" onClick={() => setCreating(true)}>
        Create workspace
      </button>
      {creating && (
        <CreateWorkspaceDialog
          onClose={() => setCreating(false)}
          onCreated={(workspace) => {
            setCreating(false);
            switchTo.mutate(workspace.id);
          }}
        />
      )}
    </div>
  );
}
