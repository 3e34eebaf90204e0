import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type BulkAction, type ContactListRow, useBulkAction, useJob } from '../api/contacts';
import { useJourneys } from '../api/journeys';
import { useLists } from '../api/lists';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { downloadCsv } from '../lib/download';
import { JobProgress } from './JobProgress';

/** What to do with the selected contacts; runs as a background job with a progress bar. */
export function BulkBar(props: {
  count: number;
  selection: { ids?: string[]; filter?: Record<string, unknown> };
  /** The table's filters as a query string when every matching contact is selected. */
  filterQuery: string | null;
  rows: ContactListRow[];
  onDone: () => void;
}) {
  const can = useCan();
  const bulk = useBulkAction();
  const lists = useLists().data ?? [];
  const journeys = (useJourneys().data ?? []).filter((j) => j.status === 'active');
  const [tag, setTag] = useState('');
  const [listId, setListId] = useState('');
  const [journeyId, setJourneyId] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const queryClient = useQueryClient();

  const run = (action: BulkAction) =>
    bulk.mutate({ action, selection: props.selection }, { onSuccess: (started) => setJobId(started.id) });
  const exportCsv = () => {
    if (props.filterQuery !== null) {
      window.location.href = `/v1/contacts/export.csv?${props.filterQuery}`;
      return;
    }
    downloadCsv(
      'contacts',
      ['id', 'userId', 'email', 'phone', 'tags', 'createdAt', 'attributes'],
      props.rows.map((r) => [
        r.id,
        r.externalId,
        r.email,
        r.phone,
        r.tags.join(';'),
        r.createdAt,
        JSON.stringify(r.attributes),
      ]),
    );
  };
  if (!can('contacts:write') && !can('contacts:export')) return null;
  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <b>{props.count} selected</b>
      {can('contacts:write') && (
        <>
          <input
            placeholder="Tag"
            aria-label="Bulk tag"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
          <button type="button" disabled={!tag} onClick={() => run({ type: 'tag', tags: [tag] })}>
            Tag
          </button>
          <button type="button" disabled={!tag} onClick={() => run({ type: 'untag', tags: [tag] })}>
            Untag
          </button>
          <select aria-label="Bulk list" value={listId} onChange={(e) => setListId(e.target.value)}>
            <option value="">List…</option>
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
          <button type="button" disabled={!listId} onClick={() => run({ type: 'add-to-list', listId })}>
            Add to list
          </button>
          {can('journeys:write') && (
            <>
              <select
                aria-label="Bulk journey"
                value={journeyId}
                onChange={(e) => setJourneyId(e.target.value)}
              >
                <option value="">Journey…</option>
                {journeys.map((j) => (
                  <option key={j.id} value={j.id}>
                    {j.name}
                  </option>
                ))}
              </select>
              <button type="button" disabled={!journeyId} onClick={() => run({ type: 'enroll', journeyId })}>
                Enroll
              </button>
            </>
          )}
        </>
      )}
      {can('contacts:export') && (
        <button type="button" onClick={exportCsv}>
          Export CSV
        </button>
      )}
      {can('contacts:write') && (
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm(`Delete ${props.count} contacts and end their journeys?`))
              run({ type: 'delete' });
          }}
        >
          Delete
        </button>
      )}
      <ErrorAlert error={bulk.error} />
      {job.data && (
        <JobProgress
          job={job.data}
          onFinished={() => {
            void queryClient.invalidateQueries({ queryKey: ['contacts'] });
            void queryClient.invalidateQueries({ queryKey: ['lists'] });
            setJobId(null);
            props.onDone();
          }}
        />
      )}
    </div>
  );
}
