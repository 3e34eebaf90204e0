import { useState } from 'react';
import { type Backfill, useEntryAudience } from '../../api/journeys';

/**
 * Resuming a segment-triggered journey: the contacts who entered the segment during the pause
 * are enrolled, or skipped by choice, so nobody is lost silently.
 */
export function ResumeDialog(props: {
  journeyId: string;
  onResume: (missed: Backfill) => Promise<void>;
  onClose: () => void;
}) {
  const audience = useEntryAudience(props.journeyId);
  const [busy, setBusy] = useState(false);
  const missed = audience.data?.enteredWhilePaused ?? 0;
  const resume = async (choice: Backfill) => {
    setBusy(true);
    await props.onResume(choice);
    setBusy(false);
    props.onClose();
  };
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label="Resume">
        <h2>Resume the journey</h2>
        {audience.isPending ? (
          <p>Counting the contacts who entered the segment during the pause…</p>
        ) : (
          <p data-testid="missed-count">
            {missed === 1 ? '1 contact' : `${missed} contacts`} entered the segment while the journey was
            paused.
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" onClick={() => resume('skip')} disabled={busy || audience.isPending}>
            Resume, skip them
          </button>
          <button
            type="button"
            className="primary"
            data-testid="confirm-resume"
            onClick={() => resume('enroll')}
            disabled={busy || audience.isPending}
          >
            Resume and enroll them
          </button>
        </div>
      </div>
    </div>
  );
}
