import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api';
import type { Journey, JourneyGraph, JourneyVersion, NodeType } from '../lib/types';
import { Workspace } from './Workspace';

/** Loads a journey and the node types, then shows the draft, or one version read-only. */
export function EditorPage(props: { journeyId: string; types: NodeType[] }) {
  const [journey, setJourney] = useState<Journey | null>(null);
  const [view, setView] = useState<{ version: number | null; graph: JourneyGraph } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const open = useCallback(
    async (version: number | null) => {
      try {
        const fresh = await api.get<Journey>(`/journeys/${props.journeyId}`);
        setJourney(fresh);
        if (version === null) setView({ version: null, graph: fresh.draft });
        else {
          const v = await api.get<JourneyVersion>(`/journeys/${props.journeyId}/versions/${version}`);
          setView({ version, graph: v.graph });
        }
      } catch (caught) {
        setError((caught as Error).message);
      }
    },
    [props.journeyId],
  );

  useEffect(() => {
    void open(null);
  }, [open]);

  if (error)
    return (
      <div className="page">
        <div className="alert error">{error}</div>
      </div>
    );
  if (!journey || !view) return <div className="page loading">Loading journey…</div>;
  return (
    <Workspace
      key={`${journey.id}:${view.version ?? 'draft'}`}
      journey={journey}
      types={props.types}
      graph={view.graph}
      viewingVersion={view.version}
      onJourneyChange={setJourney}
      onViewVersion={(v) => void open(v)}
    />
  );
}
