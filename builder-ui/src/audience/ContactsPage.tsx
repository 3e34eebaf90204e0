import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useContactSearch, useContactsSearchable, useCreateContact } from '../api/contacts';
import { formatDate } from '../lib/format';
import { useDebounced } from '../lib/use-debounced';

/** Contact search where the API has it; opening by id and creating a contact always. */
export function ContactsPage() {
  const canList = useContactsSearchable().data;
  const [query, setQuery] = useState('');
  const contacts = useContactSearch(useDebounced(query, 250), canList === true);
  const createContact = useCreateContact();
  const navigate = useNavigate();
  const [openId, setOpenId] = useState('');
  const [form, setForm] = useState({ userId: '', email: '', phone: '', timezone: '' });
  const [error, setError] = useState<string | null>(null);

  const create = async () => {
    try {
      const body = Object.fromEntries(Object.entries(form).filter(([, v]) => v));
      const contact = await createContact.mutateAsync(body);
      navigate(`/contacts/${contact.id}`);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Contacts</h1>
      </div>
      {error && <div className="alert error">{error}</div>}
      {canList && (
        <section>
          <input
            className="search"
            type="search"
            placeholder="Search by email, name or id"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <table className="table">
            <thead>
              <tr>
                <th>Email</th>
                <th>User id</th>
                <th>Phone</th>
                <th>Tags</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {(contacts.data ?? []).map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contacts/${c.id}`}>{c.email ?? '(no email)'}</Link>
                  </td>
                  <td>{c.externalId ?? '—'}</td>
                  <td>{c.phone ?? '—'}</td>
                  <td>{c.tags.join(', ')}</td>
                  <td>{formatDate(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <div className="cards">
        <section className="card">
          <h2 className="section-title">Open a contact</h2>
          {canList === false && (
            <p className="muted">Contact search is not available on this server yet; open one by its id.</p>
          )}
          <div className="inline-form">
            <input
              placeholder="Contact id (uuid)"
              value={openId}
              onChange={(e) => setOpenId(e.target.value.trim())}
            />
            <button type="button" disabled={!openId} onClick={() => navigate(`/contacts/${openId}`)}>
              Open
            </button>
          </div>
        </section>
        <section className="card">
          <h2 className="section-title">Add a contact</h2>
          {(['userId', 'email', 'phone', 'timezone'] as const).map((key) => (
            <div className="field" key={key}>
              <label htmlFor={`new-${key}`}>
                {key === 'userId' ? 'User id' : key[0].toUpperCase() + key.slice(1)}
              </label>
              <input
                id={`new-${key}`}
                value={form[key]}
                onChange={(e) => setForm({ ...form, [key]: e.target.value })}
              />
            </div>
          ))}
          <button type="button" className="primary" onClick={create}>
            Create
          </button>
        </section>
      </div>
    </div>
  );
}
