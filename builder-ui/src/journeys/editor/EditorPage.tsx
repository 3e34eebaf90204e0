import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import {
  journeyKeys,
  takeJourneyReadAtStart,
  useJourney,
  useJourneyChanged,
  useJourneyVersion,
} from '../../api/journeys';
import { useNodeTypes } from '../../api/node-types';
import type { Compare } from './panels/VersionDiffView';
import { Workspace } from './Workspace';

/** `/journeys/:journeyId`: the journey's draft, or one published version read-only. */
export function EditorPage() {
  const journeyId = useParams().journeyId!;
  return <JourneyEditor key={journeyId} journeyId={journeyId} />;
}

function JourneyEditor(props: { journeyId: string }) {
  const { journeyId } = props;
  const queryClient = useQueryClient();
  const types = useNodeTypes().data;
  const [readAtStart] = useState(() => takeJourneyReadAtStart(journeyId));
  // Opened on the start-up's read, which is as fresh as a read of its own: no second one.
  const journey = useJourney(journeyId, { refetchOnMount: !readAtStart });
  const [version, setVersion] = useState<number | null>(null);
  // Survives switching the version on show (the workspace remounts per version).
  const [compare, setCompare] = useState<Compare | null>(null);
  const published = useJourneyVersion(journeyId, version);
  const onJourneyChange = useJourneyChanged();

  const error = journey.error ?? published.error;
  if (error)
    return (
      <div className="page">
        <div className="alert error">{error.message}</div>
      </div>
    );
  // The draft opens from a fresh read (this page's own, or the app's start-up read for the page
  // it opened on), never from a copy another page left in the cache.
  const graph = version === null ? journey.data?.draft : published.data?.graph;
  if (!types || !journey.data || !(journey.isFetchedAfterMount || readAtStart) || !graph)
    return <div className="page loading">Loading journey…</div>;
  return (
    <Workspace
      key={`${journeyId}:${version ?? 'draft'}`}
      journey={journey.data}
      types={types}
      graph={graph}
      viewingVersion={version}
      compare={compare}
      onCompare={setCompare}
      onJourneyChange={onJourneyChange}
      onViewVersion={async (next) => {
        await queryClient.refetchQueries({ queryKey: journeyKeys.detail(journeyId), exact: true });
        setVersion(next);
      }}
    />
  );
}
