import { type Backfill, type LifecycleAction, useLifecycle, usePublish } from '../../api/journeys';
import type { Journey } from '../../lib/types';
import { newPins } from '../model/versions';
import type { Autosave } from './useAutosave';

const done: Record<LifecycleAction, string> = {
  pause: 'Paused: no new entries',
  resume: 'Resumed',
  archive: 'Archived',
};

/** Publishing the draft as a new version, and pausing, resuming or archiving the journey. */
export function useJourneyLifecycle(options: {
  journey: Journey;
  autosave: Autosave;
  notify: (text: string, kind: 'ok' | 'error') => void;
}) {
  const { journey, autosave, notify } = options;
  const publishMutation = usePublish(journey.id);
  const lifecycleMutation = useLifecycle(journey);

  /** Resolves to the version published, or null (the dialog stays open). */
  const publish = async (note: string, backfill?: Backfill): Promise<number | null> => {
    try {
      await autosave.holdSaves();
      const {
        version,
        backfilled,
        backfilledHeldOut,
        journey: fresh,
      } = await publishMutation.mutateAsync({ note, backfill });
      // Publishing pinned every node's version into the server's draft; the canvas keeps them.
      autosave.adoptServerEdit(newPins(JSON.parse(autosave.currentDraft()).nodes, fresh.draft.nodes), false);
      notify(`Published version ${version}${entered(backfilled, backfilledHeldOut)}`, 'ok');
      return version;
    } catch (error) {
      autosave.releaseSaves();
      notify((error as Error).message, 'error');
      return null;
    }
  };

  const lifecycle = async (action: LifecycleAction, missed?: Backfill) => {
    try {
      const updated = await lifecycleMutation.mutateAsync({ action, missed });
      notify(`${done[action]}${entered(updated.missedEnrolled, updated.missedHeldOut)}`, 'ok');
    } catch (error) {
      notify((error as Error).message, 'error');
    }
  };

  return { publish, lifecycle };
}

/** "; 12 contacts enrolled, 3 held out (control group)", or nothing when no one entered. */
function entered(enrolled = 0, heldOut = 0): string {
  const parts = [
    ...(enrolled ? [`${enrolled} contacts enrolled`] : []),
    ...(heldOut ? [`${heldOut} held out (control group)`] : []),
  ];
  return parts.length > 0 ? `; ${parts.join(', ')}` : '';
}
