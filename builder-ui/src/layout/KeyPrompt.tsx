import { useState } from 'react';

export function KeyPrompt(props: { error: string | null; onKey: (key: string) => void }) {
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
