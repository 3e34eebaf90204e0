import { useState } from 'react';
import { type Backfill, useEntryAudience } from '../../api/journeys';

/**
 * Asks for a note and, for a segment trigger, whether to enroll the segment's current members,
 * then publishes; stays open (and editable) when publishing fails.
 */
export function PublishDialog(props: {
  journeyId: string;
  canPublish: boolean;
  onPublish: (note: string, backfill?: Backfill) => Promise<boolean>;
  onClose: () => void;
}) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [backfill, setBackfill] = useState<Backfill>('skip');
  const audience = useEntryAudience(props.journeyId).data;
  const segmentTriggered = !!audience?.segmentId;
  const publish = async () => {
    setBusy(true);
    const published = await props.onPublish(note, segmentTriggered ? backfill : undefined);
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
