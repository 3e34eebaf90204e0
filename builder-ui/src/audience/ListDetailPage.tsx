import './audience.css';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useContactSearch } from '../api/contacts';
import { useList, useListChanges, useListMembers } from '../api/lists';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { useDebounced } from '../lib/use-debounced';
import { fieldErrors } from './field-errors';

/** One list: its members, adding and removing contacts, renaming, importing into it. */
export function ListDetailPage() {
  const listId = useParams().listId!;
  const list = useList(listId);
  const [filter, setFilter] = useState('');
  const members = useListMembers(listId, useDebounced(filter, 250));
  const { update, remove, addMembers, removeMembers } = useListChanges();
  const can = useCan();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const candidates = useContactSearch(useDebounced(search, 250), search.length > 0);
  const [name, setName] = useState<string | null>(null);
  const errors = fieldErrors(update.error);

  if (list.error)
    return (
      <div className="page">
        <ErrorAlert error={list.error} />
      </div>
    );
  if (!list.data) return <div className="page loading">Loading list…</div>;
  const memberIds = new Set((members.data?.data ?? []).map((c) => c.id));
  return (
    <div className="page" data-testid="list-detail">
      <div className="page-head">
        <h1>{list.data.name}</h1>
        <span className="badge" data-testid="list-size">
          {list.data.members} contacts
        </span>
        <div className="page-actions">
          <Link to="/lists">All lists</Link>
          {can('contacts:write') && (
            <>
              <Link to={`/contacts/import?listId=${listId}`}>Import CSV into this list</Link>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  if (window.confirm(`Delete the list ${list.data.name}? Its contacts stay.`))
                    remove.mutate(listId, { onSuccess: () => navigate('/lists') });
                }}
              >
                Delete list
              </button>
            </>
          )}
        </div>
      </div>
      <ErrorAlert error={members.error ?? addMembers.error ?? removeMembers.error ?? remove.error} />
      {list.data.description && <p className="muted">{list.data.description}</p>}
      {can('contacts:write') && (
        <div className="cards">
          <form
            className="card"
            onSubmit={(e) => {
              e.preventDefault();
              if (name) update.mutate({ id: listId, name }, { onSuccess: () => setName(null) });
            }}
          >
            <h2 className="section-title">Rename</h2>
            <div className={`field ${errors.has('name') ? 'field-error' : ''}`}>
              <input
                aria-label="List name"
                value={name ?? list.data.name}
                onChange={(e) => setName(e.target.value)}
              />
              {errors.has('name') && <div className="field-message">{errors.get('name')}</div>}
            </div>
            <button type="submit" disabled={!name}>
              Save name
            </button>
          </form>
          <section className="card">
            <h2 className="section-title">Add contacts</h2>
            <input
              className="search"
              type="search"
              placeholder="Find a contact by email, phone or id"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              data-testid="list-add-search"
            />
            <ul className="plain-list">
              {(candidates.data ?? []).slice(0, 8).map((c) => (
                <li key={c.id}>
                  {c.email ?? c.externalId ?? c.id}{' '}
                  {memberIds.has(c.id) ? (
                    <span className="muted">in the list</span>
                  ) : (
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => addMembers.mutate({ id: listId, contactIds: [c.id] })}
                    >
                      Add
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
      <h2 className="section-title">Members</h2>
      <input
        className="search"
        type="search"
        placeholder="Filter members"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <table className="table" data-testid="list-members">
        <thead>
          <tr>
            <th>Email</th>
            <th>User id</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(members.data?.data ?? []).map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/contacts/${c.id}`}>{c.email ?? '(no email)'}</Link>
              </td>
              <td>{c.externalId ?? '—'}</td>
              <td>{formatDate(c.createdAt)}</td>
              <td className="row-actions">
                {can('contacts:write') && (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => removeMembers.mutate({ id: listId, contactIds: [c.id] })}
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
