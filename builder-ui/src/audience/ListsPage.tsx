import './audience.css';
import { useState } from 'react';
import { Link } from 'react-router';
import { useListChanges, useLists } from '../api/lists';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { fieldErrors, formLevelError } from './field-errors';

/** Static lists: groups of contacts managed by hand or by import. */
export function ListsPage() {
  const lists = useLists();
  const { create } = useListChanges();
  const can = useCan();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const errors = fieldErrors(create.error);

  return (
    <div className="page" data-testid="lists-page">
      <div className="page-head">
        <h1>Lists</h1>
      </div>
      <ErrorAlert error={lists.error ?? formLevelError(create.error, ['name', 'description'])} />
      {can('contacts:write') && (
        <form
          className="card audience-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              { name, description: description || null },
              {
                onSuccess: () => {
                  setName('');
                  setDescription('');
                },
              },
            );
          }}
        >
          <h2 className="section-title">New list</h2>
          <div className={`field ${errors.has('name') ? 'field-error' : ''}`}>
            <label htmlFor="list-name">Name</label>
            <input id="list-name" value={name} onChange={(e) => setName(e.target.value)} />
            {errors.has('name') && <div className="field-message">{errors.get('name')}</div>}
          </div>
          <div className="field">
            <label htmlFor="list-description">Description</label>
            <input
              id="list-description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create list
          </button>
        </form>
      )}
      <table className="table" data-testid="lists-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Description</th>
            <th className="num">Contacts</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {(lists.data ?? []).map((list) => (
            <tr key={list.id}>
              <td>
                <Link to={`/lists/${list.id}`}>{list.name}</Link>
              </td>
              <td>{list.description ?? ''}</td>
              <td className="num">{list.members}</td>
              <td>{formatDate(list.createdAt)}</td>
            </tr>
          ))}
          {lists.data?.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No lists yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
