import './audience.css';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAttributeChanges, useAttributeDefinitions } from '../api/contacts';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { fieldErrors, formLevelError } from './field-errors';

const TYPES = ['text', 'number', 'boolean', 'date', 'enum'] as const;

/** Custom attribute definitions: typed contact fields shown in forms and filters, checked on every write. */
export function AttributesPage() {
  const definitions = useAttributeDefinitions();
  const { create, remove } = useAttributeChanges();
  const can = useCan();
  const [form, setForm] = useState({ key: '', label: '', type: 'text', options: '' });
  const errors = fieldErrors(create.error);
  const field = (key: 'key' | 'label' | 'options', label: string) => (
    <div className={`field ${errors.has(key) ? 'field-error' : ''}`}>
      <label htmlFor={`attribute-${key}`}>{label}</label>
      <input
        id={`attribute-${key}`}
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
      />
      {errors.has(key) && <div className="field-message">{errors.get(key)}</div>}
    </div>
  );
  return (
    <div className="page" data-testid="attributes-page">
      <div className="page-head">
        <h1>Contact attributes</h1>
        <div className="page-actions">
          <Link to="/contacts">All contacts</Link>
        </div>
      </div>
      <ErrorAlert
        error={
          definitions.error ??
          remove.error ??
          formLevelError(create.error, ['key', 'label', 'type', 'options'])
        }
      />
      {can('contacts:write') && (
        <form
          className="card audience-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(
              {
                key: form.key,
                label: form.label || form.key,
                type: form.type,
                options:
                  form.type === 'enum'
                    ? form.options
                        .split(',')
                        .map((o) => o.trim())
                        .filter(Boolean)
                    : [],
              },
              { onSuccess: () => setForm({ key: '', label: '', type: 'text', options: '' }) },
            );
          }}
        >
          <h2 className="section-title">New attribute</h2>
          {field('key', 'Key (as stored on the contact)')}
          {field('label', 'Label')}
          <div className="field">
            <label htmlFor="attribute-type">Type</label>
            <select
              id="attribute-type"
              value={form.type}
              onChange={(e) => setForm({ ...form, type: e.target.value })}
            >
              {TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
          {form.type === 'enum' && field('options', 'Options (comma-separated)')}
          <button type="submit" className="primary" disabled={create.isPending}>
            Add attribute
          </button>
        </form>
      )}
      <table className="table" data-testid="attributes-table">
        <thead>
          <tr>
            <th>Key</th>
            <th>Label</th>
            <th>Type</th>
            <th>Options</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(definitions.data ?? []).map((d) => (
            <tr key={d.id}>
              <td className="mono">{d.key}</td>
              <td>{d.label}</td>
              <td>{d.type}</td>
              <td>{d.options.join(', ')}</td>
              <td className="row-actions">
                {can('contacts:write') && (
                  <button type="button" className="link-button" onClick={() => remove.mutate(d.id)}>
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
