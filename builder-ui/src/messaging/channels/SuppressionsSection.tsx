import { useState } from 'react';
import { useSuppressionChanges, useSuppressions } from '../../api/channels';
import { ErrorAlert } from '../../components/ErrorAlert';

/** The suppression list: search by address, filter by channel, remove an address, add one by hand. */
export function SuppressionsSection(props: { channels: string[]; canRemove: boolean }) {
  const [search, setSearch] = useState('');
  const [channel, setChannel] = useState('');
  const list = useSuppressions({ search: search || undefined, channel: channel || undefined });
  const { add, remove } = useSuppressionChanges();
  const [address, setAddress] = useState('');
  const [addChannel, setAddChannel] = useState('email');
  return (
    <section aria-label="Suppression list" data-testid="suppressions">
      <h2 className="section-title">Suppression list</h2>
      <p className="help">
        Addresses nothing is sent to: hard bounces, complaints, and addresses added by hand.
      </p>
      <div className="inline-form">
        <input
          type="search"
          aria-label="Search suppressed addresses"
          placeholder="Search address"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select aria-label="Suppression channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
          <option value="">All channels</option>
          {props.channels.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      <ErrorAlert error={list.error ?? remove.error ?? add.error} />
      {list.data && list.data.length === 0 && <p className="help">No suppressed address matches.</p>}
      {list.data && list.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Address</th>
              <th>Channel</th>
              <th>Reason</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={`${s.channel}:${s.address}`}>
                <td>{s.address}</td>
                <td>{s.channel}</td>
                <td>{s.reason}</td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
                <td>
                  {props.canRemove && (
                    <button
                      type="button"
                      className="link-button danger"
                      aria-label={`Remove ${s.address}`}
                      onClick={() => remove.mutate({ channel: s.channel, address: s.address })}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canRemove && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate({ channel: addChannel, address }, { onSuccess: () => setAddress('') });
          }}
        >
          <label htmlFor="suppress-address">Suppress an address</label>
          <select
            aria-label="Channel to suppress on"
            value={addChannel}
            onChange={(e) => setAddChannel(e.target.value)}
          >
            {props.channels.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <input id="suppress-address" value={address} onChange={(e) => setAddress(e.target.value)} />
          <button type="submit" disabled={!address || add.isPending}>
            Suppress
          </button>
        </form>
      )}
    </section>
  );
}
