import { Link } from 'react-router';
import type { Message } from '../api/messages';
import { formatDate } from '../lib/format';

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
                <Link to={`/contacts/${m.contactId}`}>{m.recipient ?? m.contactId}</Link>
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
