import { useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '../../api/session';
import { type TicketFilters, useTicketAgents, useTickets } from '../../api/tickets';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useDebounced } from '../../lib/use-debounced';
import { NewTicketForm } from './NewTicketForm';
import { agentName, Due, PRIORITIES, STATUSES, TicketTabs, when } from './shared';

/** The support inbox: every ticket, filtered by status, priority, assignee or queue, searchable. */
export function TicketsPage() {
  const can = useCan();
  const [filters, setFilters] = useState<TicketFilters>({});
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 250);
  const { assigneeUserId, ...rest } = filters;
  const query = {
    ...rest,
    ...(assigneeUserId === 'none' ? { unassigned: true } : { assigneeUserId }),
    q: q || undefined,
  };
  // The cursors of the pages seen so far; a new filter starts again at the first page.
  const [pages, setPages] = useState<{ key: string; cursors: string[] }>({ key: '', cursors: [''] });
  const queryKey = JSON.stringify(query);
  const cursors = pages.key === queryKey ? pages.cursors : [''];
  const page = useTickets(query, cursors[cursors.length - 1]);
  const tickets = { ...page, data: page.data?.data };
  const nextCursor = page.data?.nextCursor;
  const agents = useTicketAgents();
  const [creating, setCreating] = useState(false);
  const set = (key: keyof TicketFilters) => (e: { target: { value: string } }) =>
    setFilters((current) => ({ ...current, [key]: e.target.value || undefined }));

  return (
    <div className="page" data-testid="tickets-page">
      <div className="page-head">
        <h1>Tickets</h1>
        {can('tickets:write') && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New ticket
          </button>
        )}
      </div>
      <TicketTabs />
      {creating && <NewTicketForm agents={agents.data ?? []} onDone={() => setCreating(false)} />}
      <div className="ticket-filters">
        <label>
          Status
          <select aria-label="Status filter" value={filters.status ?? ''} onChange={set('status')}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select aria-label="Priority filter" value={filters.priority ?? ''} onChange={set('priority')}>
            <option value="">Any</option>
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <select
            aria-label="Assignee filter"
            value={filters.assigneeUserId ?? ''}
            onChange={set('assigneeUserId')}
          >
            <option value="">Anyone</option>
            <option value="none">Nobody (unassigned)</option>
            {(agents.data ?? []).map((a) => (
              <option key={a.userId} value={a.userId}>
                {a.name || a.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          Queue
          <input
            aria-label="Queue filter"
            value={filters.queue ?? ''}
            onChange={set('queue')}
            placeholder="e.g. Billing"
          />
        </label>
        <label>
          Search
          <input
            type="search"
            aria-label="Search tickets"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Subject or description"
          />
        </label>
      </div>
      <ErrorAlert error={tickets.error} />
      {tickets.data && tickets.data.length === 0 && <p className="muted">No tickets match.</p>}
      {tickets.data && tickets.data.length > 0 && (
        <table className="table" data-testid="ticket-table">
          <thead>
            <tr>
              <th>Subject</th>
              <th>Status</th>
              <th>Priority</th>
              <th>Assignee / queue</th>
              <th>First response due</th>
              <th>Resolution due</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {tickets.data.map((t) => (
              <tr key={t.id} data-testid="ticket-row">
                <td>
                  <Link to={`/tickets/${t.id}`}>{t.subject}</Link>
                  {t.tags.length > 0 && <span className="muted"> · {t.tags.join(', ')}</span>}
                </td>
                <td>
                  <span className="badge">{t.status}</span>
                </td>
                <td>{t.priority}</td>
                <td>{t.assigneeUserId ? agentName(agents.data, t.assigneeUserId) : (t.queue ?? '—')}</td>
                <td>
                  <Due due={t.firstResponseDueAt} done={t.firstResponseAt} />
                </td>
                <td>
                  <Due due={t.resolutionDueAt} done={t.resolvedAt} />
                </td>
                <td>{when(t.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(cursors.length > 1 || nextCursor) && (
        <div className="pager" data-testid="ticket-pager">
          <span className="muted">Page {cursors.length}</span>
          <button
            type="button"
            disabled={cursors.length < 2}
            onClick={() => setPages({ key: queryKey, cursors: cursors.slice(0, -1) })}
          >
            Previous
          </button>
          <button
            type="button"
            disabled={!nextCursor}
            onClick={() => nextCursor && setPages({ key: queryKey, cursors: [...cursors, nextCursor] })}
          >
            Next
          </button>
        </div>
      )}
    </div>
  );
}
