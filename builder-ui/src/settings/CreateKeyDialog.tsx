import { useState } from 'react';
import { type ApiKeyScope, type CreatedApiKey, useCreateApiKey } from '../api/api-keys';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';

const SCOPES: { scope: ApiKeyScope; description: string }[] = [
  { scope: 'read', description: 'Read journeys, contacts, messages and the rest' },
  { scope: 'write', description: 'Change journeys, contacts, segments, templates, campaigns' },
  { scope: 'admin', description: 'Members, keys, channels, secrets, settings, hooks' },
  { scope: 'ingest', description: 'Alone: a write key for the tracking API only' },
];

/** Names a key and picks its scopes; then shows the key, once, with a copy button. */
export function CreateKeyDialog(props: { onClose: () => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read']);
  if (create.data) return <ShowKeyOnce created={create.data} onClose={props.onClose} />;
  const toggle = (scope: ApiKeyScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
  return (
    <Modal title="Create an API key" onClose={props.onClose} testId="create-key">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), scopes });
        }}
      >
        <ErrorAlert error={create.error} />
        <input
          name="key-name"
          placeholder="What uses it, e.g. “Website tracking”"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="scope-choices">
          {SCOPES.map(({ scope, description }) => (
            <label key={scope}>
              <input
                type="checkbox"
                name={`scope-${scope}`}
                checked={scopes.includes(scope)}
                onChange={(e) => toggle(scope, e.target.checked)}
              />
              <span>
                <strong>{scope}</strong> <span className="muted">— {description}</span>
              </span>
            </label>
          ))}
        </div>
        <div className="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="primary"
            disabled={!name.trim() || !scopes.length || create.isPending}
          >
            Create key
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Escape must not lose the key: only Done closes this dialog. */
const keepOpen = () => {};

function ShowKeyOnce(props: { created: CreatedApiKey; onClose: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(props.created.key).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <Modal title={`Key “${props.created.name}” created`} onClose={keepOpen} testId="key-created">
      <p>Copy it now: it is shown only this once. Wayline keeps only its hash.</p>
      <div className="key-once">
        <code data-testid="new-key">{props.created.key}</code>
        <button type="button" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copied === false && (
        <p className="field-message">The browser refused to copy; select the key instead.</p>
      )}
      <div className="modal-actions">
        <button type="button" className="primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Modal>
  );
}
