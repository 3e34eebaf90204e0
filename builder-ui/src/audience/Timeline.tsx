import { useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '../api/session';
import { type ActivityInput, useDeleteActivity, useLogActivity, useTimeline } from '../api/timeline';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { fieldErrors, formLevelError } from './field-errors';

const KINDS = [
  ['event', 'Events'],
  ['message', 'Messages'],
  ['journey', 'Journey steps'],
  ['deal', 'Deals'],
  ['ticket', 'Tickets'],
  ['note', 'Notes'],
  ['call', 'Calls'],
  ['meeting', 'Meetings'],
] as const;

/** Everything that happened with a contact, newest first, filterable by kind; notes, calls and meetings logged here. */
export function Timeline({ contactId }: { contactId: string }) {
  const [kinds, setKinds] = useState<string[]>([]);
  const timeline = useTimeline(contactId, kinds.join(','));
  const remove = useDeleteActivity(contactId);
  const can = useCan();
  const items = (timeline.data?.pages ?? []).flatMap((p) => p.data);
  const toggle = (kind: string) =>
    setKinds(kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind]);
  return (
    <section className="timeline-section" data-testid="timeline">
      <h2 className="section-title">Timeline</h2>
      {can('contacts:write') && <LogActivityForm contactId={contactId} />}
      <fieldset className="chips" aria-label="Show kinds">
        {KINDS.map(([kind, label]) => (
          <label className={`chip ${kinds.includes(kind) ? 'chip-on' : ''}`} key={kind}>
            <input type="checkbox" checked={kinds.includes(kind)} onChange={() => toggle(kind)} /> {label}
          </label>
        ))}
        {kinds.length > 0 && (
          <button type="button" className="link-button" onClick={() => setKinds([])}>
            Show all
          </button>
        )}
      </fieldset>
      <ErrorAlert error={timeline.error ?? remove.error} />
      <ol className="timeline-stream">
        {items.map((item) => (
          <li
            key={`${item.kind}-${item.id}`}
            className={`timeline-item kind-${item.kind}`}
            data-kind={item.kind}
          >
            <span className="badge">{item.kind}</span> <span className="muted">{formatDate(item.at)}</span>{' '}
            <b>{item.title}</b> <Detail kind={item.kind} detail={item.detail} />
            {['note', 'call', 'meeting'].includes(item.kind) && can('contacts:write') && (
              <button type="button" className="link-button" onClick={() => remove.mutate(item.id)}>
                Delete
              </button>
            )}
          </li>
        ))}
        {timeline.data && items.length === 0 && <li className="muted">Nothing yet.</li>}
      </ol>
      {timeline.hasNextPage && (
        <button type="button" onClick={() => timeline.fetchNextPage()} disabled={timeline.isFetchingNextPage}>
          Older
        </button>
      )}
    </section>
  );
}

function Detail({ kind, detail }: { kind: string; detail: Record<string, unknown> }) {
  if (kind === 'message')
    return (
      <span className={`badge msg-${String(detail.status)}`}>
        {String(detail.status)}
        {detail.reason ? ` — ${String(detail.reason)}` : ''}
      </span>
    );
  if (kind === 'journey')
    return (
      <span className="muted">
        {detail.port ? `→ ${String(detail.port)} ` : ''}
        <Link to={`/journeys/${String(detail.journeyId)}`}>open journey</Link>
      </span>
    );
  if (kind === 'note' || kind === 'call' || kind === 'meeting')
    return (
      <span>
        <span className="timeline-body">{String(detail.body ?? '')}</span>
        {detail.durationMinutes ? (
          <span className="muted"> · {String(detail.durationMinutes)} min</span>
        ) : null}
        {detail.outcome ? <span className="muted"> · {String(detail.outcome)}</span> : null}
        {detail.author ? <span className="muted"> · by {String(detail.author)}</span> : null}
        {detail.journeyId && !detail.author ? <span className="muted"> · by a journey</span> : null}
      </span>
    );
  const properties = detail.properties as Record<string, unknown> | undefined;
  return properties && Object.keys(properties).length > 0 ? (
    <span className="mono muted">{JSON.stringify(properties)}</span>
  ) : null;
}

function LogActivityForm({ contactId }: { contactId: string }) {
  const log = useLogActivity(contactId);
  const [form, setForm] = useState({
    kind: 'note',
    subject: '',
    body: '',
    occurredAt: '',
    durationMinutes: '',
    outcome: '',
  });
  const errors = fieldErrors(log.error);
  const submit = () => {
    const body: ActivityInput = { kind: form.kind as ActivityInput['kind'], body: form.body };
    if (form.subject) body.subject = form.subject;
    if (form.occurredAt) body.occurredAt = new Date(form.occurredAt).toISOString();
    if (form.kind !== 'note' && form.durationMinutes) body.durationMinutes = Number(form.durationMinutes);
    if (form.kind !== 'note' && form.outcome) body.outcome = form.outcome;
    const sent = form;
    log.mutate(body, {
      // Emptied for the next entry, unless the next entry was already begun while this one saved.
      onSuccess: () =>
        setForm((now) =>
          now === sent
            ? { ...now, subject: '', body: '', occurredAt: '', durationMinutes: '', outcome: '' }
            : now,
        ),
    });
  };
  const field = (key: keyof typeof form, label: string, input: React.ReactNode) => (
    <div className={`field ${errors.has(key) ? 'field-error' : ''}`}>
      <label htmlFor={`activity-${key}`}>{label}</label>
      {input}
      {errors.has(key) && <div className="field-message">{errors.get(key)}</div>}
    </div>
  );
  return (
    <form
      className="card activity-form"
      data-testid="log-activity"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <ErrorAlert error={formLevelError(log.error, Object.keys(form))} />
      <div className="field-row">
        {field(
          'kind',
          'Log a',
          <select
            id="activity-kind"
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.target.value })}
          >
            <option value="note">Note</option>
            <option value="call">Call</option>
            <option value="meeting">Meeting</option>
          </select>,
        )}
        {field(
          'subject',
          'Subject',
          <input
            id="activity-subject"
            value={form.subject}
            onChange={(e) => setForm({ ...form, subject: e.target.value })}
          />,
        )}
      </div>
      {field(
        'body',
        'Text',
        <textarea
          id="activity-body"
          rows={3}
          value={form.body}
          onChange={(e) => setForm({ ...form, body: e.target.value })}
        />,
      )}
      {form.kind !== 'note' && (
        <div className="field-row">
          {field(
            'occurredAt',
            'When',
            <input
              id="activity-occurredAt"
              type="datetime-local"
              value={form.occurredAt}
              onChange={(e) => setForm({ ...form, occurredAt: e.target.value })}
            />,
          )}
          {field(
            'durationMinutes',
            'Minutes',
            <input
              id="activity-durationMinutes"
              type="number"
              min={0}
              value={form.durationMinutes}
              onChange={(e) => setForm({ ...form, durationMinutes: e.target.value })}
            />,
          )}
          {field(
            'outcome',
            'Outcome',
            <input
              id="activity-outcome"
              value={form.outcome}
              onChange={(e) => setForm({ ...form, outcome: e.target.value })}
            />,
          )}
        </div>
      )}
      <button type="submit" className="primary" disabled={log.isPending}>
        Log {form.kind}
      </button>
    </form>
  );
}
