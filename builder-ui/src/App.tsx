import { useEffect, useState } from 'react';
import { ContactProfile } from './contacts/ContactProfile';
import { ContactsPage } from './contacts/ContactsPage';
import { EditorPage } from './editor/EditorPage';
import { JourneyList } from './journeys/JourneyList';
import { api, loadSession, type Session, setApiKey } from './lib/api';
import { useRoute } from './lib/router';
import type { NodeType } from './lib/types';
import { MessagesPage } from './messages/MessagesPage';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [types, setTypes] = useState<NodeType[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => {
    loadSession().then(setSession);
  }, []);
  useEffect(() => {
    if (!session) return;
    api
      .get<{ data: NodeType[] }>('/node-types')
      .then((answer) => setTypes(answer.data))
      .catch((caught) => setError((caught as Error).message));
  }, [session]);

  if (session === undefined) return <div className="page loading">Loading…</div>;
  if (session === null || error) {
    return (
      <KeyPrompt
        error={error}
        onKey={(key) => {
          setApiKey(key, true);
          setError(null);
          setSession({ key, demo: false });
        }}
      />
    );
  }

  const [section = 'journeys', id] = route;
  let page: React.ReactNode;
  if (!types) page = <div className="page loading">Loading node types…</div>;
  else if (section === 'journeys' && id) page = <EditorPage journeyId={id} types={types} />;
  else if (section === 'contacts' && id) page = <ContactProfile contactId={id} />;
  else if (section === 'contacts') page = <ContactsPage />;
  else if (section === 'messages') page = <MessagesPage />;
  else page = <JourneyList />;

  return (
    <div className="app">
      <nav className="topnav">
        <a className="brand" href="#/journeys">
          <span className="brand-mark">◢</span> Wayline
        </a>
        <a className={section === 'journeys' ? 'active' : ''} href="#/journeys">
          Journeys
        </a>
        <a className={section === 'contacts' ? 'active' : ''} href="#/contacts">
          Contacts
        </a>
        <a className={section === 'messages' ? 'active' : ''} href="#/messages">
          Messages
        </a>
        <div className="spacer" />
        {session.demo ? (
          <span
            className="demo-badge"
            title="Until login exists, this local server hands its demo workspace key to the UI"
          >
            Demo workspace
          </span>
        ) : (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setApiKey(null);
              window.location.reload();
            }}
          >
            Change API key
          </button>
        )}
      </nav>
      <div className="app-body">{page}</div>
    </div>
  );
}

function KeyPrompt(props: { error: string | null; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <div className="key-prompt">
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) props.onKey(key.trim());
        }}
      >
        <h1>
          <span className="brand-mark">◢</span> Wayline
        </h1>
        <p>
          Paste a workspace's secret API key. <code>npm start</code> prints the demo workspace's key; it is
          kept in this browser only.
        </p>
        {props.error && <div className="alert error">{props.error}</div>}
        <input placeholder="Secret key" value={key} onChange={(e) => setKey(e.target.value)} />
        <button type="submit" className="primary">
          Continue
        </button>
      </form>
    </div>
  );
}
