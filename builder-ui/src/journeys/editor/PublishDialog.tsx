import { useState } from 'react';
import { type Backfill, previewMigration, useEntryAudience } from '../../api/journeys';
import { MigrationStep } from './MigrationStep';

/**
 * Asks for a note and, for a segment trigger, whether to enroll the segment's current members,
 * then publishes; stays open (and editable) when publishing fails. When contacts are still
 * running earlier versions, it then previews moving them to the new one (nothing moves unasked).
 */
export function PublishDialog(props: {
  journeyId: string;
  canPublish: boolean;
  /** Node ids of the draft being published: where migrated runs may go. */
  nodeIds: string[];
  onPublish: (note: string, backfill?: Backfill) => Promise<number | null>;
  onClose: () => void;
}) {
  const [published, setPublished] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [backfill, setBackfill] = useState<Backfill>('skip');
  const audience = useEntryAudience(props.journeyId).data;
  const segmentTriggered = !!audience?.segmentId;
  const publish = async () => {
    setBusy(true);
    const version = await props.onPublish(note, segmentTriggered ? backfill : undefined);
    if (version === null) {
      setBusy(false);
      return;
    }
    const preview = await previewMigration(props.journeyId, { toVersion: version }).catch(() => null);
    setBusy(false);
    if (preview && preview.total > 0) setPublished(version);
    else props.onClose();
  };
  if (published !== null) {
    return (
      <div className="modal-backdrop">
        <div className="modal wide" role="dialog" aria-label="Move running contacts">
          <h2>Version {published} is live</h2>
          <MigrationStep
            journeyId={props.journeyId}
            version={published}
            nodeIds={props.nodeIds}
            onClose={props.onClose}
          />
        </div>
      </div>
    );
  }
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
        {segmentTriggered && (
          <fieldset className="field" data-testid="backfill-choice">
            <legend>Contacts already in the segment ({audience.members})</legend>
            <label>
              <input
                type="radio"
                name="backfill"
                checked={backfill === 'skip'}
                onChange={() => setBackfill('skip')}
              />{' '}
              Only contacts who enter the segment from now on
            </label>
            <label>
              <input
                type="radio"
                name="backfill"
                value="enroll"
                checked={backfill === 'enroll'}
                onChange={() => setBackfill('enroll')}
              />{' '}
              Also enroll the {audience.members} contacts in it now
            </label>
          </fieldset>
        )}
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
