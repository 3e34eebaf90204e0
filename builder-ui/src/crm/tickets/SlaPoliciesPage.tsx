import { useState } from 'react';
import { useCan } from '../../api/session';
import {
  type SlaPolicy,
  type TicketAgent,
  useSlaPolicies,
  useSlaPolicyChanges,
  useTicketAgents,
} from '../../api/tickets';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FieldMessage, isFieldError, PRIORITIES, TicketTabs } from './shared';

/** First-response and resolution targets per priority, and what a breach does. */
export function SlaPoliciesPage() {
  const policies = useSlaPolicies();
  const agents = useTicketAgents();
  return (
    <div className="page" data-testid="sla-policies">
      <div className="page-head">
        <h1>SLA policies</h1>
      </div>
      <TicketTabs />
      <p className="muted">
        Targets apply to tickets created after a change. On a breach the ticket is escalated once per target:
        reassigned, raised one priority step, and the address (or the new assignee) is told.
      </p>
      <ErrorAlert error={policies.error} />
      {policies.data &&
        PRIORITIES.map((priority) => (
          <PolicyForm
            key={priority}
            priority={priority}
            policy={policies.data.find((p) => p.priority === priority)}
            agents={agents.data ?? []}
          />
        ))}
    </div>
  );
}

const FIELDS = [
  'firstResponseMinutes',
  'resolutionMinutes',
  'escalateToUserId',
  'escalateToQueue',
  'notifyEmail',
];

function PolicyForm(props: { priority: string; policy?: SlaPolicy; agents: TicketAgent[] }) {
  const can = useCan();
  const { save, remove } = useSlaPolicyChanges();
  const [form, setForm] = useState({
    firstResponseMinutes: String(props.policy?.firstResponseMinutes ?? ''),
    resolutionMinutes: String(props.policy?.resolutionMinutes ?? ''),
    escalateToUserId: props.policy?.escalateToUserId ?? '',
    escalateToQueue: props.policy?.escalateToQueue ?? '',
    notifyEmail: props.policy?.notifyEmail ?? '',
    raisePriority: props.policy?.raisePriority ?? true,
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: e.target.value }));
  const error = save.error;
  return (
    <form
      className="ticket-form"
      data-testid={`sla-${props.priority}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          priority: props.priority as 'normal',
          firstResponseMinutes: Number(form.firstResponseMinutes),
          resolutionMinutes: Number(form.resolutionMinutes),
          escalateToUserId: form.escalateToUserId || null,
          escalateToQueue: form.escalateToQueue || null,
          notifyEmail: form.notifyEmail || null,
          raisePriority: form.raisePriority,
        });
      }}
    >
      <h2 className="section-title wide">
        {props.priority} {props.policy ? '' : <span className="muted">(no targets)</span>}
      </h2>
      <label>
        First response (minutes)
        <input inputMode="numeric" value={form.firstResponseMinutes} onChange={set('firstResponseMinutes')} />
        <FieldMessage error={error} field="firstResponseMinutes" />
      </label>
      <label>
        Resolution (minutes)
        <input inputMode="numeric" value={form.resolutionMinutes} onChange={set('resolutionMinutes')} />
        <FieldMessage error={error} field="resolutionMinutes" />
      </label>
      <label>
        On breach, reassign to
        <select value={form.escalateToUserId} onChange={set('escalateToUserId')}>
          <option value="">Keep the assignee</option>
          {props.agents.map((a) => (
            <option key={a.userId} value={a.userId}>
              {a.name || a.email}
            </option>
          ))}
        </select>
        <FieldMessage error={error} field="escalateToUserId" />
      </label>
      <label>
        …or to the queue
        <input value={form.escalateToQueue} onChange={set('escalateToQueue')} />
        <FieldMessage error={error} field="escalateToQueue" />
      </label>
      <label>
        Notify
        <input
          type="email"
          value={form.notifyEmail}
          onChange={set('notifyEmail')}
          placeholder="lead@example.com"
        />
        <FieldMessage error={error} field="notifyEmail" />
      </label>
      <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6 }}>
        <input
          type="checkbox"
          checked={form.raisePriority}
          onChange={(e) => setForm((current) => ({ ...current, raisePriority: e.target.checked }))}
        />
        Raise the priority
      </label>
      {!isFieldError(error, FIELDS) && <ErrorAlert error={error ?? remove.error} />}
      {can('tickets:write') && (
        <div className="wide">
          <button type="submit" disabled={save.isPending}>
            Save {props.priority}
          </button>{' '}
          {props.policy && (
            <button type="button" className="link-button" onClick={() => remove.mutate(props.priority)}>
              Remove
            </button>
          )}
        </div>
      )}
    </form>
  );
}
