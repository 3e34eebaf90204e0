import { useState } from 'react';
import { type ApiKey, useApiKeys, useRevokeApiKey } from '../api/api-keys';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';
import { formatDate } from '../lib/format';
import { CreateKeyDialog } from './CreateKeyDialog';

/** The workspace's API keys: who made each, what it may do, when it was last used; create and revoke. */
export function ApiKeysPage() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  return (
    <div className="page" data-testid="api-keys-page">
      <div className="page-head">
        <h1>API keys</h1>
        <div className="page-actions">
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        </div>
      </div>
      <p className="help">
        Secret keys (<code>wl_sk_…</code>) call the API as this workspace with their scopes; write keys (
        <code>wl_wk_…</code>) only send events to the tracking API. Only a hash is stored: a key is shown
        once, when it is created.
      </p>
      <ErrorAlert error={keys.error ?? revoke.error} />
      {keys.isPending && <p className="muted">Loading…</p>}
      {keys.data?.length === 0 && <p className="muted">No keys yet.</p>}
      {!!keys.data?.length && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Scopes</th>
              <th>Created by</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id} data-key={key.name} className={key.revokedAt ? 'revoked' : ''}>
                <td>{key.name}</td>
                <td className="mono">{key.prefix}…</td>
                <td>
                  {key.scopes.map((scope) => (
                    <span key={scope} className="badge scope">
                      {scope}
                    </span>
                  ))}
                </td>
                <td>{key.createdBy?.email ?? <span className="muted">wayline admin</span>}</td>
                <td>{formatDate(key.createdAt)}</td>
                <td>{key.lastUsedAt ? formatDate(key.lastUsedAt) : <span className="muted">never</span>}</td>
                <td>
                  <div className="row-actions">
                    {key.revokedAt ? (
                      <span className="badge status-archived" title={formatDate(key.revokedAt)}>
                        Revoked
                      </span>
                    ) : (
                      <button type="button" className="link-button danger" onClick={() => setRevoking(key)}>
                        Revoke
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} />}
      {revoking && (
        <Modal title={`Revoke “${revoking.name}”?`} onClose={() => setRevoking(null)} testId="confirm-revoke">
          <p>
            Anything using <code>{revoking.prefix}…</code> stops working at once. This cannot be undone.
          </p>
          <div className="modal-actions">
            <button type="button" onClick={() => setRevoking(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                revoke.mutate(revoking.id);
                setRevoking(null);
              }}
            >
              Revoke key
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}
