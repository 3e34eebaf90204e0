import { useState } from 'react';
import { useCreateWorkspace } from '../api/auth';
import type { WorkspaceChoice } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';

/** Names a new workspace; its creator becomes the owner. */
export function CreateWorkspaceDialog(props: {
  onClose: () => void;
  onCreated: (workspace: WorkspaceChoice) => void;
}) {
  const create = useCreateWorkspace();
  const [name, setName] = useState('');
  return (
    <Modal title="Create a workspace" onClose={props.onClose} testId="create-workspace">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name.trim(), { onSuccess: props.onCreated });
        }}
      >
        <p>A workspace holds its own journeys, contacts, keys and members. You will be its owner.</p>
        <ErrorAlert error={create.error} />
        <input
          name="workspace-name"
          placeholder="Workspace name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}
