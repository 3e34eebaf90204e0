import { useState } from 'react';
import { useTopicChanges, useTopics } from '../../api/channels';
import { ErrorAlert } from '../../components/ErrorAlert';

/** Subscription topics contacts choose from on the preferences page. */
export function TopicsSection(props: { canManage: boolean }) {
  const topics = useTopics();
  const { save, remove } = useTopicChanges();
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [optIn, setOptIn] = useState(false);
  return (
    <section aria-label="Topics" data-testid="topics">
      <h2 className="section-title">Topics and subscription preferences</h2>
      <p className="help">
        A send node's topic is checked against the contact's choice. Opt-out topics reach contacts who never
        chose; opt-in topics need a subscription.
      </p>
      <ErrorAlert error={topics.error ?? save.error ?? remove.error} />
      {topics.data && topics.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Topic</th>
              <th>Label</th>
              <th>Default</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {topics.data.map((t) => (
              <tr key={t.name}>
                <td>{t.name}</td>
                <td>{t.label}</td>
                <td>{t.defaultSubscribed ? 'opt-out (subscribed)' : 'opt-in'}</td>
                <td>
                  {props.canManage && (
                    <button
                      type="button"
                      className="link-button danger"
                      onClick={() => remove.mutate(t.name)}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canManage && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(
              { name, label, defaultSubscribed: !optIn },
              {
                onSuccess: () => {
                  setName('');
                  setLabel('');
                },
              },
            );
          }}
        >
          <input
            aria-label="Topic name"
            placeholder="name (e.g. newsletter)"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <input
            aria-label="Topic label"
            placeholder="Label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <label>
            <input type="checkbox" checked={optIn} onChange={(e) => setOptIn(e.target.checked)} /> opt-in
          </label>
          <button type="submit" disabled={!name || !label || save.isPending}>
            Add topic
          </button>
        </form>
      )}
    </section>
  );
}
