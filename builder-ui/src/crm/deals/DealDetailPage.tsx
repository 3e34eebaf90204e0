import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useDeal, useDealChanges, useDealHistory, useDealNotes, usePipelines } from '../../api/deals';
import { useCan } from '../../api/session';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDate } from '../../lib/format';
import { DealForm } from './DealForm';
import { fieldErrors } from './field-errors';
import { money } from './money';
import './deals.css';

function duration(from: string, to: string | null): string {
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

/** One deal: its fields, a stage switch, notes and the history of its stages. */
export function DealDetailPage() {
  const { dealId = '' } = useParams();
  const navigate = useNavigate();
  const can = useCan();
  const deal = useDeal(dealId);
  const pipelines = usePipelines();
  const notes = useDealNotes(dealId);
  const history = useDealHistory(dealId);
  const { move, addNote, remove } = useDealChanges();
  const [editing, setEditing] = useState(false);
  const [note, setNote] = useState('');
  const pipeline = pipelines.data?.find((p) => p.id === deal.data?.pipelineId);
  const noteError = fieldErrors(addNote.error).get('body');

  if (deal.error) return <ErrorAlert error={deal.error} />;
  if (!deal.data) return <div className="page muted">Loading…</div>;
  const d = deal.data;
  return (
    <div className="page deal-detail" data-testid="deal-detail">
      <div className="page-head">
        <h1>{d.title}</h1>
        <div className="page-actions">
          <Link to={`/deals?pipeline=${d.pipelineId}`}>Back to board</Link>
          {can('deals:write') && (
            <>
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  if (window.confirm(`Delete the deal ${d.title}?`))
                    remove.mutate(d.id, { onSuccess: () => navigate(`/deals?pipeline=${d.pipelineId}`) });
                }}
              >
                Delete
              </button>
            </>
          )}
        </div>
      </div>
      <ErrorAlert error={move.error ?? remove.error} />
      <dl className="props">
        <div className="prop-row">
          <dt>Value</dt>
          <dd data-testid="deal-value">{money(d.value, d.currency)}</dd>
        </div>
        <div className="prop-row">
          <dt>Stage</dt>
          <dd>
            {can('deals:write') && pipeline ? (
              <select
                aria-label="Stage"
                value={d.stageId}
                onChange={(e) => move.mutate({ id: d.id, stageId: e.target.value })}
              >
                {pipeline.stages.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            ) : (
              d.stageName
            )}{' '}
            <span className={`badge deal-status-${d.status}`}>{d.status}</span>
          </dd>
        </div>
        <div className="prop-row">
          <dt>Pipeline</dt>
          <dd>{pipeline?.name}</dd>
        </div>
        <div className="prop-row">
          <dt>Owner</dt>
          <dd>{d.owner ? d.owner.name || d.owner.email : '—'}</dd>
        </div>
        <div className="prop-row">
          <dt>Expected close</dt>
          <dd>{d.expectedCloseDate ?? '—'}</dd>
        </div>
        <div className="prop-row">
          <dt>Contacts</dt>
          <dd>
            {d.contacts.length === 0
              ? '—'
              : d.contacts.map((c) => (
                  <Link key={c.id} to={`/contacts/${c.id}`} className="deal-contact">
                    {c.email ?? c.externalId ?? c.id}
                  </Link>
                ))}
          </dd>
        </div>
      </dl>

      <div className="cards">
        <section className="card">
          <h2 className="section-title">Notes</h2>
          {can('deals:write') && (
            <form
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                addNote.mutate({ id: d.id, body: note }, { onSuccess: () => setNote('') });
              }}
            >
              <div className={`field${noteError ? ' field-error' : ''}`}>
                <textarea
                  aria-label="New note"
                  rows={3}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                />
                {noteError && <div className="field-message">{noteError}</div>}
              </div>
              <button type="submit" disabled={addNote.isPending}>
                Add note
              </button>
            </form>
          )}
          <ul className="timeline" data-testid="deal-notes">
            {notes.data?.map((n) => (
              <li key={n.id}>
                <div className="deal-note-body">{n.body}</div>
                <div className="muted">
                  {n.authorName ?? 'API'} · {formatDate(n.createdAt)}
                </div>
              </li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h2 className="section-title">Stage history</h2>
          <table className="table" data-testid="deal-history">
            <thead>
              <tr>
                <th>Stage</th>
                <th>Entered</th>
                <th>Left</th>
                <th>Time in stage</th>
              </tr>
            </thead>
            <tbody>
              {history.data?.map((stay) => (
                <tr key={stay.id}>
                  <td>{stay.stageName}</td>
                  <td>{formatDate(stay.enteredAt)}</td>
                  <td>{stay.leftAt ? formatDate(stay.leftAt) : 'now'}</td>
                  <td>{duration(stay.enteredAt, stay.leftAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      {editing && pipelines.data && (
        <DealForm
          pipelines={pipelines.data}
          pipelineId={d.pipelineId}
          deal={d}
          onClose={() => setEditing(false)}
          onSaved={() => setEditing(false)}
        />
      )}
    </div>
  );
}
