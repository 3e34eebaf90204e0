import { useState } from 'react';

/** Asks for a note, then publishes; stays open (and editable) when publishing fails. */
export function PublishDialog(props: {
  canPublish: boolean;
  onPublish: (note: string) => Promise<boolean>;
  onClose: () => void;
}) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const publish = async () => {
    setBusy(true);
    const published = await props.onPublish(note);
    setBusy(false);
    if (published) props.onClose();
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label="Publish">
        <h2>Publish a new version</h2>
        <p>Contacts already in the journey keep the version they entered with; new entries use this one.</p>
        <div className="field">
          <label htmlFor="publish-note">Note (what changed)</label>
          <textarea
            id="publish-note"
            name="note"
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
        <div className="modal-actions">
          <button type="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            data-testid="confirm-publish"
            onClick={publish}
            disabled={busy || !props.canPublish}
          >
            {busy ? 'Publishing…' : 'Publish'}
          </button>
        </div>
      </div>
    </div>
  );
}
