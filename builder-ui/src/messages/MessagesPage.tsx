import { useEffect, useState } from 'react';
import { optional } from '../lib/api';
import { type Message, MessageTable } from './MessageTable';

/** The message ledger and the dev outbox, each shown when this server has it. */
export function MessagesPage() {
  const [messages, setMessages] = useState<Message[] | undefined | null>(null);
  const [outbox, setOutbox] = useState<Message[] | undefined | null>(null);
  useEffect(() => {
    const load = async () => {
      setMessages((await optional<{ data: Message[] }>('/messages?limit=100'))?.data);
      setOutbox((await optional<{ data: Message[] }>('/dev/outbox'))?.data);
    };
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Messages</h1>
      </div>
      <section>
        <h2 className="section-title">Sent and blocked messages</h2>
        {messages === null ? (
          <p className="muted">Loading…</p>
        ) : messages ? (
          <MessageTable messages={messages} />
        ) : (
          <p className="muted">The message log is not available on this server yet.</p>
        )}
      </section>
      <section>
        <h2 className="section-title">Dev outbox</h2>
        <p className="help">Messages captured locally instead of reaching a provider.</p>
        {outbox === null ? (
          <p className="muted">Loading…</p>
        ) : outbox ? (
          <MessageTable messages={outbox} />
        ) : (
          <p className="muted">The dev outbox is not available on this server yet.</p>
        )}
      </section>
    </div>
  );
}
