import { useState } from 'react';
import { useNavigate } from 'react-router';
import { type TicketAgent, useTicketChanges } from '../../api/tickets';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FieldMessage, isFieldError, PRIORITIES, splitTags } from './shared';

const FIELDS = [
  'subject',
  'email',
  'contactId',
  'description',
  'priority',
  'assigneeUserId',
  'queue',
  'tags',
];

/** Opens a ticket for a contact given by e-mail; the server's field errors show on their fields. */
export function NewTicketForm(props: { agents: TicketAgent[]; onDone: () => void }) {
  const { create } = useTicketChanges();
  const navigate = useNavigate();
  const [form, setForm] = useState({
    subject: '',
    email: '',
    description: '',
    priority: 'normal',
    assigneeUserId: '',
    queue: '',
    tags: '',
  });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: e.target.value }));
  const error = create.error;

  return (
    <form
      className="ticket-form"
      data-testid="new-ticket-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(
          {
            subject: form.subject,
            email: form.email || undefined,
            description: form.description,
            priority: form.priority as (typeof PRIORITIES)[number],
            assigneeUserId: form.assigneeUserId || null,
            queue: form.queue || null,
            tags: splitTags(form.tags),
            channel: 'web',
          },
          { onSuccess: (ticket) => navigate(`/tickets/${ticket.id}`) },
        );
      }}
    >
      <label className="wide">
        Subject
        <input value={form.subject} onChange={set('subject')} />
        <FieldMessage error={error} field="subject" />
      </label>
      <label>
        Contact e-mail
        <input type="email" value={form.email} onChange={set('email')} />
        <FieldMessage error={error} field="email" />
        <FieldMessage error={error} field="contactId" />
      </label>
      <label>
        Priority
        <select value={form.priority} onChange={set('priority')}>
          {PRIORITIES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <FieldMessage error={error} field="priority" />
      </label>
      <label>
        Assignee
        <select value={form.assigneeUserId} onChange={set('assigneeUserId')}>
          <option value="">Nobody</option>
          {props.agents.map((a) => (
            <option key={a.userId} value={a.userId}>
              {a.name || a.email}
            </option>
          ))}
        </select>
        <FieldMessage error={error} field="assigneeUserId" />
      </label>
      <label>
        Queue
        <input value={form.queue} onChange={set('queue')} placeholder="or a team queue" />
        <FieldMessage error={error} field="queue" />
      </label>
      <label>
        Tags
        <input value={form.tags} onChange={set('tags')} placeholder="comma, separated" />
        <FieldMessage error={error} field="tags" />
      </label>
      <label className="wide">
        Description
        <textarea rows={3} value={form.description} onChange={set('description')} />
        <FieldMessage error={error} field="description" />
      </label>
      {!isFieldError(error, FIELDS) && <ErrorAlert error={error} />}
      <div className="wide">
        <button type="submit" disabled={create.isPending}>
          Create ticket
        </button>{' '}
        <button type="button" className="link-button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
