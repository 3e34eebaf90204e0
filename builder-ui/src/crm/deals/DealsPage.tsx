import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useDealChanges, useDeals, usePipelines } from '../../api/deals';
import { useCan } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { DealBoard } from './DealBoard';
import { DealForm } from './DealForm';
import { money } from './money';
import { PipelineForm } from './PipelineForm';
import './deals.css';

/** Deals of one pipeline, as a kanban board or a list; `?pipeline=` and `?view=` keep the choice in the address. */
export function DealsPage() {
  const can = useCan();
  const pipelines = usePipelines();
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'list' ? 'list' : 'board';
  const pipeline = pipelines.data?.find((p) => p.id === params.get('pipeline')) ?? pipelines.data?.[0];
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const deals = useDeals({
    pipelineId: pipeline?.id,
    q: view === 'list' ? q : undefined,
    status: view === 'list' ? status : undefined,
  });
  const { move } = useDealChanges();
  const [creating, setCreating] = useState<'deal' | 'pipeline' | 'edit-pipeline' | null>(null);
  const choose = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.set(key, value);
      return next;
    });

  return (
    <div className="page deals-page" data-testid="deals-page">
      <div className="page-head">
        <h1>Deals</h1>
        <div className="page-actions">
          {pipelines.data && pipelines.data.length > 0 && (
            <select
              aria-label="Pipeline"
              value={pipeline?.id ?? ''}
              onChange={(e) => choose('pipeline', e.target.value)}
            >
              {pipelines.data.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
          <fieldset className="deal-view-switch" aria-label="View">
            <button type="button" aria-pressed={view === 'board'} onClick={() => choose('view', 'board')}>
              Board
            </button>
            <button type="button" aria-pressed={view === 'list'} onClick={() => choose('view', 'list')}>
              List
            </button>
          </fieldset>
          <Link to={`/deals/reports${pipeline ? `?pipeline=${pipeline.id}` : ''}`}>Reports</Link>
          {can('deals:write') && (
            <>
              {pipeline && (
                <button type="button" onClick={() => setCreating('edit-pipeline')}>
                  Edit pipeline
                </button>
              )}
              <button type="button" onClick={() => setCreating('pipeline')}>
                New pipeline
              </button>
              {pipeline && (
                <button type="button" className="primary" onClick={() => setCreating('deal')}>
                  New deal
                </button>
              )}
            </>
          )}
        </div>
      </div>
      <ErrorAlert error={pipelines.error ?? deals.error ?? move.error} />
      {pipelines.data?.length === 0 && (
        <p className="muted">
          No pipeline yet. {can('deals:write') ? 'Create one to start tracking deals.' : ''}
        </p>
      )}
      {pipeline && deals.data && view === 'board' && (
        <DealBoard
          pipeline={pipeline}
          deals={deals.data}
          canMove={can('deals:write')}
          onMove={(id, stageId) => move.mutate({ id, stageId })}
        />
      )}
      {pipeline && view === 'list' && (
        <>
          <div className="inline-form">
            <input
              className="search"
              placeholder="Search titles…"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
            <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any status</option>
              <option value="open">Open</option>
              <option value="won">Won</option>
              <option value="lost">Lost</option>
            </select>
          </div>
          <table className="table" data-testid="deal-list">
            <thead>
              <tr>
                <th>Title</th>
                <th>Stage</th>
                <th className="num">Value</th>
                <th>Owner</th>
                <th>Contacts</th>
                <th>Expected close</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {(deals.data ?? []).map((deal) => (
                <tr key={deal.id}>
                  <td>
                    <Link to={`/deals/${deal.id}`}>{deal.title}</Link>
                  </td>
                  <td>{deal.stageName}</td>
                  <td className="num">{money(deal.value, deal.currency)}</td>
                  <td>{deal.owner ? deal.owner.name || deal.owner.email : '—'}</td>
                  <td>{deal.contacts.map((c) => c.email ?? c.externalId).join(', ')}</td>
                  <td>{deal.expectedCloseDate ?? '—'}</td>
                  <td>
                    <span className={`badge deal-status-${deal.status}`}>{deal.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {creating === 'deal' && pipeline && pipelines.data && (
        <DealForm pipelines={pipelines.data} pipelineId={pipeline.id} onClose={() => setCreating(null)} />
      )}
      {(creating === 'pipeline' || creating === 'edit-pipeline') && (
        <PipelineForm
          pipeline={creating === 'edit-pipeline' ? pipeline : undefined}
          onClose={() => setCreating(null)}
          onSaved={(saved) => {
            setCreating(null);
            choose('pipeline', saved.id);
          }}
        />
      )}
    </div>
  );
}
