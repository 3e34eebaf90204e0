import { formatDate } from '../lib/format';

export interface Message {
  id: string;
  channel: string;
  status: string;
  reason?: string | null;
  recipient?: string | null;
  subject?: string | null;
  body?: string | null;
  contactId?: string | null;
  journeyId?: string | null;
  nodeId?: string | null;
  createdAt?: string;
}

/** Messages with their status and the reason they were or were not sent. */
export function MessageTable(props: { messages: Message[] }) {
  if (props.messages.length === 0) return <p className="muted">No messages.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>When</th>
          <th>Channel</th>
          <th>To</th>
          <th>Subject / text</th>
          <th>Status</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.messages.map((m) => (
          <tr key={m.id}>
            <td>{formatDate(m.createdAt)}</td>
            <td>{m.channel}</td>
            <td>
              {m.contactId ? (
                <a href={`#/contacts/${m.contactId}`}>{m.recipient ?? m.contactId}</a>
              ) : (
                (m.recipient ?? '—')
              )}
            </td>
            <td>{m.subject ?? m.body?.slice(0, 80) ?? '—'}</td>
            <td>
              <span className={`badge msg-${m.status}`}>{m.status}</span>
            </td>
            <td className="muted">{m.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
