import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSaveDraft } from '../../api/journeys';
import { pinNodes } from '../model/versions';
import type { GraphApi } from './useGraph';

export type SaveState = 'saved' | 'saving' | 'unsaved' | 'error';

/** Version pins (and, for an upgrade, the new config) the server wrote into its draft. */
export type ServerEdit = Map<string, { version: number; config?: Record<string, unknown> }>;

export interface Autosave {
  saveState: SaveState;
  /** Saves pending edits now, after any save already under way. */
  saveNow: () => Promise<void>;
  /** Flushes pending edits, then holds saves until the server's change is on the canvas. */
  holdSaves: () => Promise<void>;
  /** Lets saves go again when the server's change failed. */
  releaseSaves: () => void;
  /**
   * Takes a change the server made to the draft: what the server now has is what we last saved
   * with the same change, and the canvas gets it too. Saves resume once that render is committed.
   */
  adoptServerEdit: (change: ServerEdit, undoable: boolean) => void;
  /** The draft as drawn now, not as of the render that scheduled a call. */
  currentDraft: () => string;
}

/** Saves the draft a moment after the last change, never while the server edits it itself. */
export function useAutosave(options: {
  journeyId: string;
  draftJson: string;
  readOnly: boolean;
  graph: Pick<GraphApi, 'upgradeNode' | 'pinVersions'>;
  onError: (message: string) => void;
}): Autosave {
  const { journeyId, draftJson, readOnly } = options;
  const { upgradeNode, pinVersions } = options.graph;
  const saveDraft = useSaveDraft(journeyId).mutateAsync;
  const calls = useRef({ saveDraft, onError: options.onError });
  calls.current = { saveDraft, onError: options.onError };
  const [saveState, setSaveState] = useState<SaveState>('saved');
  // What the server has: the draft as first drawn, so opening a journey never saves it.
  const savedJson = useRef<string | null>(null);
  savedJson.current ??= draftJson;
  const savingNow = useRef<Promise<void> | null>(null);
  // Saves read the draft at the moment they run, not when they were scheduled, so a save that
  // waited behind a server-side change never sends the graph from before it.
  const latestDraft = useRef(draftJson);
  latestDraft.current = draftJson;
  // While the server changes the draft itself (upgrade, publish), local saves are held back.
  const savesHeld = useRef(false);
  const [serverEdits, setServerEdits] = useState(0);

  const save = useCallback(async () => {
    if (readOnly || savesHeld.current) return;
    const body = latestDraft.current;
    if (body === savedJson.current) return;
    setSaveState('saving');
    try {
      await calls.current.saveDraft(body);
      savedJson.current = body;
      setSaveState('saved');
    } catch (error) {
      setSaveState('error');
      calls.current.onError(`Not saved: ${(error as Error).message}`);
    }
  }, [readOnly]);

  const saveNow = useCallback(async () => {
    await savingNow.current;
    savingNow.current = save();
    await savingNow.current;
  }, [save]);

  const holdSaves = useCallback(async () => {
    await saveNow();
    savesHeld.current = true;
    await savingNow.current;
  }, [saveNow]);

  const releaseSaves = useCallback(() => {
    savesHeld.current = false;
  }, []);

  const adoptServerEdit = useCallback(
    (change: ServerEdit, undoable: boolean) => {
      if (savedJson.current) {
        savedJson.current = JSON.stringify(pinNodes(JSON.parse(savedJson.current), change));
      }
      for (const [id, pin] of change) {
        if (undoable && pin.config) upgradeNode(id, pin.version, pin.config);
      }
      if (!undoable) pinVersions(change);
      setServerEdits((n) => n + 1);
    },
    [upgradeNode, pinVersions],
  );

  // Declared before the autosave effect so that saves resume in the same commit that shows the change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per adopted server edit
  useEffect(() => {
    savesHeld.current = false;
  }, [serverEdits]);

  useEffect(() => {
    if (readOnly || draftJson === savedJson.current) return;
    setSaveState('unsaved');
    const timer = setTimeout(() => void saveNow(), 800);
    return () => clearTimeout(timer);
  }, [draftJson, readOnly, saveNow]);

  const currentDraft = useCallback(() => latestDraft.current, []);
  return useMemo(
    () => ({ saveState, saveNow, holdSaves, releaseSaves, adoptServerEdit, currentDraft }),
    [saveState, saveNow, holdSaves, releaseSaves, adoptServerEdit, currentDraft],
  );
}
