import type { UseQueryResult } from '@tanstack/react-query';
import { type Message, useDevOutbox, useRecentMessages } from '../api/messages';
import { MessageTable } from '../components/MessageTable';

/** The message ledger and the dev outbox, each shown when this server has it. */
export function MessagesPage() {
  const messages = useRecentMessages();
  const outbox = useDevOutbox();
  return (
    <div className="page">
      <div className="page-head">
        <h1>Messages</h1>
      </div>
      <section>
        <h2 className="section-title">Sent and blocked messages</h2>
        <Ledger query={messages} missing="The message log is not available on this server yet." />
      </section>
      <section>
        <h2 className="section-title">Dev outbox</h2>
        <p className="help">Messages captured locally instead of reaching a provider.</p>
        <Ledger query={outbox} missing="The dev outbox is not available on this server yet." />
      </section>
    </div>
  );
}

function Ledger(props: { query: UseQueryResult<Message[] | null>; missing: string }) {
  if (props.query.isPending) return <p className="muted">Loading…</p>;
  if (!props.query.data) return <p className="muted">{props.missing}</p>;
  return <MessageTable messages={props.query.data} />;
}
