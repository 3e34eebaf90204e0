import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCan } from '../../api/session';
import { type TicketView, useTicket, useTicketAgents, useTicketChanges } from '../../api/tickets';
import { ErrorAlert } from '../../components/ErrorAlert';
import {
  agentName,
  Due,
  FieldMessage,
  isFieldError,
  PRIORITIES,
  STATUSES,
  splitTags,
  TicketTabs,
  when,
} from './shared';

/** One ticket: its conversation (internal notes and replies), its state and SLA due times. */
export function TicketDetailPage() {
  const { ticketId = '' } = useParams();
  const ticket = useTicket(ticketId);
  return (
    <div className="page" data-testid="ticket-detail">
      <div className="page-head">
        <h1>{ticket.data?.subject ?? 'Ticket'}</h1>
      </div>
      <TicketTabs />
      <ErrorAlert error={ticket.error} />
      {ticket.data && <TicketBody ticket={ticket.data} />}
    </div>
  );
}

function TicketBody({ ticket }: { ticket: TicketView }) {
  const can = useCan();
  const agents = useTicketAgents();
  return (
    <div className="ticket-detail">
      <section>
        <p className="muted">
          From{' '}
          <Link to={`/contacts/${ticket.contact.id}`}>
            {ticket.contact.email ?? ticket.contact.externalId ?? 'contact'}
          </Link>{' '}
          via {ticket.channel} · opened {when(ticket.createdAt)}
          {ticket.tags.length > 0 && ` · ${ticket.tags.join(', ')}`}
        </p>
        {ticket.description && <p style={{ whiteSpace: 'pre-wrap' }}>{ticket.description}</p>}
        <h2 className="section-title">Conversation</h2>
        {ticket.comments.length === 0 && <p className="muted">No comments yet.</p>}
        {ticket.comments.map((c) => (
          <article
            key={c.id}
            className={`ticket-comment ${c.kind}`}
            data-testid="ticket-comment"
            data-kind={c.kind}
          >
            <header>
              {c.kind === 'internal' ? 'Internal note' : 'Reply'} ·{' '}
              {agentName(agents.data, c.authorUserId) || c.authorLabel || 'system'} · {when(c.createdAt)}
            </header>
            <div style={{ whiteSpace: 'pre-wrap' }}>{c.body}</div>
          </article>
        ))}
        {can('tickets:write') && ticket.status !== 'closed' && <CommentForm ticketId={ticket.id} />}
      </section>
      <aside>
        {can('tickets:write') ? (
          <TicketStateForm ticket={ticket} />
        ) : (
          <dl className="props">
            <dt>Status</dt>
            <dd>{ticket.status}</dd>
            <dt>Priority</dt>
            <dd>{ticket.priority}</dd>
          </dl>
        )}
        <h2 className="section-title">SLA</h2>
        <dl className="props" data-testid="ticket-sla">
          <dt>First response due</dt>
          <dd>
            <Due due={ticket.firstResponseDueAt} done={ticket.firstResponseAt} />
          </dd>
          <dt>Resolution due</dt>
          <dd>
            <Due due={ticket.resolutionDueAt} done={ticket.resolvedAt} />
          </dd>
        </dl>
        {ticket.escalations.length > 0 && (
          <ul className="plain-list" data-testid="ticket-escalations">
            {ticket.escalations.map((e) => (
              <li key={e.id}>
                {e.target === 'first_response' ? 'First response' : 'Resolution'} missed {when(e.dueAt)}:
                priority {e.fromPriority} → {e.toPriority}
                {e.notified ? `, ${e.notified} notified` : ''}
              </li>
            ))}
          </ul>
        )}
        {ticket.rating && (
          <p data-testid="ticket-rating">
            Rated {ticket.rating.rating}/5{ticket.rating.comment ? `: “${ticket.rating.comment}”` : ''}
          </p>
        )}
      </aside>
    </div>
  );
}

const STATE_FIELDS = ['status', 'priority', 'assigneeUserId', 'queue', 'tags'];

function TicketStateForm({ ticket }: { ticket: TicketView }) {
  const agents = useTicketAgents();
  const { update } = useTicketChanges();
  const initial = () => ({
    status: ticket.status,
    priority: ticket.priority,
    assigneeUserId: ticket.assigneeUserId ?? '',
    queue: ticket.queue ?? '',
    tags: ticket.tags.join(', '),
  });
  const [form, setForm] = useState(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the saved ticket changes
  useEffect(() => setForm(initial()), [ticket.updatedAt]);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: e.target.value }));
  const error = update.error;

  return (
    <form
      className="ticket-form"
      data-testid="ticket-state-form"
      onSubmit={(e) => {
        e.preventDefault();
        const patch: Record<string, unknown> = {};
        if (form.status !== ticket.status) patch.status = form.status;
        if (form.priority !== ticket.priority) patch.priority = form.priority;
        if (form.assigneeUserId !== (ticket.assigneeUserId ?? ''))
          patch.assigneeUserId = form.assigneeUserId || null;
        if (form.queue !== (ticket.queue ?? '')) patch.queue = form.queue || null;
        if (form.tags !== ticket.tags.join(', ')) patch.tags = splitTags(form.tags);
        update.mutate({ id: ticket.id, ...patch });
      }}
    >
      <label className="wide">
        Status
        <select value={form.status} onChange={set('status')}>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <FieldMessage error={error} field="status" />
      </label>
      <label className="wide">
        Priority
        <select value={form.priority} onChange={set('priority')}>
          {PRIORITIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <FieldMessage error={error} field="priority" />
      </label>
      <label className="wide">
        Assignee
        <select value={form.assigneeUserId} onChange={set('assigneeUserId')}>
          <option value="">Nobody</option>
          {(agents.data ?? []).map((a) => (
            <option key={a.userId} value={a.userId}>
              {a.name || a.email}
            </option>
          ))}
        </select>
        <FieldMessage error={error} field="assigneeUserId" />
      </label>
      <label className="wide">
        Queue
        <input value={form.queue} onChange={set('queue')} />
        <FieldMessage error={error} field="queue" />
      </label>
      <label className="wide">
        Tags
        <input value={form.tags} onChange={set('tags')} />
        <FieldMessage error={error} field="tags" />
      </label>
      {!isFieldError(error, STATE_FIELDS) && <ErrorAlert error={error} />}
      <div className="wide">
        <button type="submit" disabled={update.isPending}>
          Save
        </button>
      </div>
    </form>
  );
}

function CommentForm({ ticketId }: { ticketId: string }) {
  const { comment } = useTicketChanges();
  const [kind, setKind] = useState<'reply' | 'internal'>('reply');
  const [body, setBody] = useState('');
  return (
    <form
      className="ticket-form"
      data-testid="comment-form"
      onSubmit={(e) => {
        e.preventDefault();
        comment.mutate({ id: ticketId, kind, body }, { onSuccess: () => setBody('') });
      }}
    >
      <div className="wide">
        <label style={{ display: 'inline-flex', flexDirection: 'row', gap: 4 }}>
          <input type="radio" name="kind" checked={kind === 'reply'} onChange={() => setKind('reply')} />{' '}
          Reply to the contact
        </label>{' '}
        <label style={{ display: 'inline-flex', flexDirection: 'row', gap: 4 }}>
          <input
            type="radio"
            name="kind"
            checked={kind === 'internal'}
            onChange={() => setKind('internal')}
          />{' '}
          Internal note
        </label>
      </div>
      <label className="wide">
        {kind === 'reply' ? 'Reply' : 'Note'}
        <textarea rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
        <FieldMessage error={comment.error} field="body" />
      </label>
      {!isFieldError(comment.error, ['body', 'kind']) && <ErrorAlert error={comment.error} />}
      <div className="wide">
        <button type="submit" disabled={comment.isPending}>
          {kind === 'reply' ? 'Send reply' : 'Add note'}
        </button>
      </div>
    </form>
  );
}
