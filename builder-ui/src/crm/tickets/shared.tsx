import { NavLink } from 'react-router';
import { ApiError } from '../../api/client';
import type { TicketAgent } from '../../api/tickets';
import './tickets.css';

export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** The server's message for one form field (`subject` matches `body.subject` and `subject`). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  return error.field.replace(/^(body|querystring)\./, '') === field ? error.message : undefined;
}

/** An error the form shows inline on a field, so the banner is only for the others. */
export function isFieldError(error: unknown, fields: string[]): boolean {
  return fields.some((field) => fieldError(error, field) !== undefined);
}

export function FieldMessage(props: { error: unknown; field: string }) {
  const message = fieldError(props.error, props.field);
  return message ? (
    <div className="field-message" role="alert" data-testid={`error-${props.field}`}>
      {message}
    </div>
  ) : null;
}

export function TicketTabs() {
  return (
    <nav className="ticket-tabs" aria-label="Tickets">
      <NavLink to="/tickets" end>
        Inbox
      </NavLink>
      <NavLink to="/tickets/reports">Reports</NavLink>
      <NavLink to="/tickets/sla">SLA policies</NavLink>
    </nav>
  );
}

export function agentName(agents: TicketAgent[] | undefined, userId: string | null): string {
  if (!userId) return '';
  const agent = agents?.find((a) => a.userId === userId);
  return agent ? agent.name || agent.email : userId.slice(0, 8);
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

/** A due time with whether it was met, missed or is still running. */
export function Due(props: { due: string | null; done: string | null }) {
  if (!props.due) return <span className="muted">no target</span>;
  const due = Date.parse(props.due);
  const state = props.done
    ? Date.parse(props.done) <= due
      ? 'met'
      : 'missed'
    : Date.now() > due
      ? 'overdue'
      : 'due';
  return (
    <span className={`sla sla-${state}`} data-sla={state}>
      {when(props.due)} · {state}
    </span>
  );
}

/** "a, b ,, c" → ["a", "b", "c"]. */
export function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
