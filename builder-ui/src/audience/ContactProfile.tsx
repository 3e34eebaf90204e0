import { Link, useParams } from 'react-router';
import { useContact, useContactEvents, useContactRuns } from '../api/contacts';
import { useJourneys } from '../api/journeys';
import { useContactMessages } from '../api/messages';
import { MessageTable } from '../components/MessageTable';
import { formatDate } from '../lib/format';

/** One contact: attributes, journey runs with their paths, events and messages where available. */
export function ContactProfile() {
  const contactId = useParams().contactId!;
  const contactQuery = useContact(contactId);
  const runsQuery = useContactRuns(contactId);
  const journeysQuery = useJourneys();
  const events = useContactEvents(contactId).data;
  const messages = useContactMessages(contactId).data;
  const error = contactQuery.error ?? runsQuery.error ?? journeysQuery.error;
  const contact = contactQuery.data;
  const runs = runsQuery.data ?? [];
  const journeys = Object.fromEntries((journeysQuery.data ?? []).map((j) => [j.id, j.name]));

  if (error)
    return (
      <div className="page">
        <div className="alert error">{error.message}</div>
      </div>
    );
  if (!contact) return <div className="page loading">Loading contact…</div>;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{contact.email ?? contact.externalId ?? contact.id}</h1>
        <Link to="/contacts">All contacts</Link>
      </div>
      <div className="cards">
        <section className="card">
          <h2 className="section-title">Profile</h2>
          <dl className="props">
            <dt>Id</dt>
            <dd className="mono">{contact.id}</dd>
            <dt>User id</dt>
            <dd>{contact.externalId ?? '—'}</dd>
            <dt>Email</dt>
            <dd>{contact.email ?? '—'}</dd>
            <dt>Phone</dt>
            <dd>{contact.phone ?? '—'}</dd>
            <dt>Time zone</dt>
            <dd>{contact.timezone ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>{contact.tags.length ? contact.tags.join(', ') : '—'}</dd>
          </dl>
        </section>
        <section className="card">
          <h2 className="section-title">Attributes</h2>
          {Object.keys(contact.attributes).length === 0 && <p className="muted">No attributes.</p>}
          <dl className="props">
            {Object.entries(contact.attributes).map(([key, value]) => (
              <div key={key} className="prop-row">
                <dt>{key}</dt>
                <dd className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
      <section>
        <h2 className="section-title">Journey runs</h2>
        {runs.length === 0 && <p className="muted">Not in any journey yet.</p>}
        {runs.map((run) => (
          <div className="card run" key={run.id}>
            <div className="run-head">
              <Link to={`/journeys/${run.journeyId}`}>{journeys[run.journeyId] ?? run.journeyId}</Link> v
              {run.version}
              <span className={`badge status-${run.status}`}>{run.status}</span>
              {run.entryKey && (
                <span className="badge" title="Entry key: one run per key">
                  key {run.entryKey}
                </span>
              )}
              <span className="muted">
                {formatDate(run.startedAt)}
                {run.exitReason ? ` — ${run.exitReason}` : ''}
              </span>
            </div>
            <ol className="path">
              {run.path.map((step) => (
                <li key={`${step.nodeId}-${step.visit}`}>
                  <b>{step.nodeId}</b>
                  {step.port && <span className="sim-port">→ {step.port}</span>}
                  <span className="muted"> {formatDate(step.enteredAt)}</span>
                  {!step.leftAt && run.status === 'running' && <span className="badge">waiting here</span>}
                </li>
              ))}
            </ol>
          </div>
        ))}
      </section>
      {events && (
        <section>
          <h2 className="section-title">Events</h2>
          <ul className="timeline">
            {events.map((e) => (
              <li key={e.id}>
                <span className="muted">{formatDate(e.timestamp)}</span> <b>{e.name ?? e.type}</b>{' '}
                <span className="mono muted">{JSON.stringify(e.properties)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {messages && (
        <section>
          <h2 className="section-title">Messages</h2>
          <MessageTable messages={messages} />
        </section>
      )}
    </div>
  );
}
