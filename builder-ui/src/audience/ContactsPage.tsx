import './audience.css';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  type ContactQuery,
  filterParams,
  useAttributeDefinitions,
  useContactTable,
  useCreateContact,
  useSavedViews,
  useSaveView,
} from '../api/contacts';
import { useLists } from '../api/lists';
import { useSegments } from '../api/segments';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { useDebounced } from '../lib/use-debounced';
import { BulkBar } from './BulkBar';
import { fieldErrors, formLevelError } from './field-errors';

const OPS = [
  ['eq', '='],
  ['neq', '≠'],
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
  ['contains', 'contains'],
  ['exists', 'is set'],
  ['not_exists', 'is not set'],
] as const;

function typed(value: string, type: string | undefined): unknown {
  if (type === 'number' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (type === 'boolean') return value === 'true';
  return value;
}

/** The contacts table: search, filters, sorts, saved views, bulk actions; imports and attributes one click away. */
export function ContactsPage() {
  const can = useCan();
  const [params] = useSearchParams();
  const [query, setQuery] = useState<ContactQuery>(() => ({
    sort: 'created',
    order: 'desc',
    segmentId: params.get('segmentId') ?? undefined,
    listId: params.get('listId') ?? undefined,
  }));
  const [text, setText] = useState('');
  const [page, setPage] = useState<string[]>(['']);
  const effective = { ...query, q: useDebounced(text, 250) || undefined };
  const table = useContactTable(effective, page[page.length - 1]);
  const definitions = useAttributeDefinitions().data ?? [];
  const lists = useLists().data ?? [];
  const segments = useSegments().data ?? [];
  const views = useSavedViews().data ?? [];
  const saveView = useSaveView();
  const [viewName, setViewName] = useState('');
  const [condition, setCondition] = useState({ path: '', op: 'eq', value: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);

  const change = (patch: Partial<ContactQuery>) => {
    setQuery((q) => ({ ...q, ...patch }));
    setPage(['']);
    setSelected(new Set());
    setAllMatching(false);
  };
  const sortBy = (sort: string) =>
    change({ sort, order: query.sort === sort && query.order === 'desc' ? 'asc' : 'desc' });
  const arrow = (sort: string) => (query.sort === sort ? (query.order === 'asc' ? ' ▲' : ' ▼') : '');
  const conditions: { path: string; op: string; value?: unknown }[] = query.filter
    ? JSON.parse(query.filter)
    : [];
  const columns = query.columns ?? definitions.slice(0, 3).map((d) => d.key);
  const rows = table.data?.data ?? [];
  const filterOnly = Object.fromEntries(filterParams(effective));

  return (
    <div className="page" data-testid="contacts-page">
      <div className="page-head">
        <h1>Contacts</h1>
        <span className="badge" data-testid="contacts-total">
          {table.data?.total ?? '…'} contacts
        </span>
        <div className="page-actions">
          {can('contacts:write') && <Link to="/contacts/import">Import CSV</Link>}
          <Link to="/contacts/attributes">Attributes</Link>
          <Link to="/lists">Lists</Link>
          <Link to="/segments">Segments</Link>
        </div>
      </div>
      <ErrorAlert error={table.error} />
      <div className="filter-bar" data-testid="contact-filters">
        <input
          type="search"
          placeholder="Search email, phone, id, attributes"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setPage(['']);
          }}
          aria-label="Search contacts"
        />
        <input
          placeholder="Tag"
          aria-label="Tag"
          value={query.tag ?? ''}
          onChange={(e) => change({ tag: e.target.value || undefined })}
        />
        <select
          aria-label="List"
          value={query.listId ?? ''}
          onChange={(e) => change({ listId: e.target.value || undefined })}
        >
          <option value="">Any list</option>
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Segment"
          value={query.segmentId ?? ''}
          onChange={(e) => change({ segmentId: e.target.value || undefined })}
        >
          <option value="">Any segment</option>
          {segments.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Subscription"
          value={query.subscription ?? ''}
          onChange={(e) => change({ subscription: e.target.value || undefined })}
        >
          <option value="">Any subscription</option>
          {['email', 'sms', 'push'].flatMap((channel) =>
            ['subscribed', 'unsubscribed'].map((state) => (
              <option key={`${channel}:${state}`} value={`${channel}:${state}`}>
                {channel} {state}
              </option>
            )),
          )}
        </select>
        <select
          aria-label="Last activity"
          value={
            query.activeWithin ? `a${query.activeWithin}` : query.inactiveFor ? `i${query.inactiveFor}` : ''
          }
          onChange={(e) => {
            const v = e.target.value;
            change({
              activeWithin: v.startsWith('a') ? Number(v.slice(1)) : undefined,
              inactiveFor: v.startsWith('i') ? Number(v.slice(1)) : undefined,
            });
          }}
        >
          <option value="">Any activity</option>
          <option value="a7">Active in the last 7 days</option>
          <option value="a30">Active in the last 30 days</option>
          <option value="i30">Inactive for 30 days</option>
          <option value="i90">Inactive for 90 days</option>
        </select>
      </div>
      <form
        className="filter-bar"
        data-testid="attribute-filter"
        onSubmit={(e) => {
          e.preventDefault();
          if (!condition.path) return;
          const type = definitions.find((d) => d.key === condition.path)?.type;
          const next = [
            ...conditions,
            condition.op === 'exists' || condition.op === 'not_exists'
              ? { path: condition.path, op: condition.op }
              : { path: condition.path, op: condition.op, value: typed(condition.value, type) },
          ];
          change({ filter: JSON.stringify(next) });
          setCondition({ path: '', op: 'eq', value: '' });
        }}
      >
        <input
          list="attribute-keys"
          placeholder="Attribute"
          aria-label="Attribute"
          value={condition.path}
          onChange={(e) => setCondition({ ...condition, path: e.target.value })}
        />
        <datalist id="attribute-keys">
          {definitions.map((d) => (
            <option key={d.id} value={d.key}>
              {d.label}
            </option>
          ))}
        </datalist>
        <select
          aria-label="Operator"
          value={condition.op}
          onChange={(e) => setCondition({ ...condition, op: e.target.value })}
        >
          {OPS.map(([op, label]) => (
            <option key={op} value={op}>
              {label}
            </option>
          ))}
        </select>
        <input
          placeholder="Value"
          aria-label="Value"
          value={condition.value}
          onChange={(e) => setCondition({ ...condition, value: e.target.value })}
        />
        <button type="submit">Add filter</button>
        {conditions.map((c, i) => (
          <span className="chip" key={JSON.stringify([c, i])}>
            {c.path} {OPS.find(([op]) => op === c.op)?.[1]} {c.value === undefined ? '' : String(c.value)}
            <button
              type="button"
              className="link-button"
              aria-label={`Remove filter ${c.path}`}
              onClick={() => {
                const rest = conditions.filter((_, j) => j !== i);
                change({ filter: rest.length ? JSON.stringify(rest) : undefined });
              }}
            >
              ×
            </button>
          </span>
        ))}
      </form>
      <div className="filter-bar" data-testid="saved-views">
        <select
          aria-label="Saved view"
          defaultValue=""
          onChange={(e) => {
            const view = views.find((v) => v.id === e.target.value);
            if (view) change({ sort: 'created', order: 'desc', ...view.query } as ContactQuery);
          }}
        >
          <option value="">Saved views…</option>
          {views.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
        {can('contacts:write') && (
          <>
            <input
              placeholder="Name this view"
              aria-label="View name"
              value={viewName}
              onChange={(e) => setViewName(e.target.value)}
            />
            <button
              type="button"
              disabled={!viewName || saveView.isPending}
              onClick={() =>
                saveView.mutate(
                  { name: viewName, query: { ...effective, columns } },
                  { onSuccess: () => setViewName('') },
                )
              }
            >
              Save view
            </button>
            {fieldErrors(saveView.error).get('name') && (
              <span className="field-message">{fieldErrors(saveView.error).get('name')}</span>
            )}
          </>
        )}
        <ErrorAlert error={formLevelError(saveView.error, ['name'])} />
      </div>
      {(selected.size > 0 || allMatching) && (
        <BulkBar
          count={allMatching ? (table.data?.total ?? 0) : selected.size}
          selection={allMatching ? { filter: filterOnly } : { ids: [...selected] }}
          filterQuery={allMatching ? new URLSearchParams(filterOnly).toString() : null}
          rows={rows.filter((r) => selected.has(r.id))}
          onDone={() => {
            setSelected(new Set());
            setAllMatching(false);
          }}
        />
      )}
      <table className="table contacts-table" data-testid="contacts-table">
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select page"
                checked={rows.length > 0 && rows.every((r) => selected.has(r.id))}
                onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())}
              />
            </th>
            <th>
              <button type="button" className="link-button" onClick={() => sortBy('email')}>
                Email{arrow('email')}
              </button>
            </th>
            <th>
              <button type="button" className="link-button" onClick={() => sortBy('userId')}>
                User id{arrow('userId')}
              </button>
            </th>
            <th>Tags</th>
            {columns.map((key) => (
              <th key={key}>
                <button type="button" className="link-button" onClick={() => sortBy(`attr:${key}`)}>
                  {definitions.find((d) => d.key === key)?.label ?? key}
                  {arrow(`attr:${key}`)}
                </button>
              </th>
            ))}
            <th>
              <button type="button" className="link-button" onClick={() => sortBy('lastActivity')}>
                Last activity{arrow('lastActivity')}
              </button>
            </th>
            <th>
              <button type="button" className="link-button" onClick={() => sortBy('created')}>
                Created{arrow('created')}
              </button>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${c.email ?? c.externalId ?? c.id}`}
                  checked={allMatching || selected.has(c.id)}
                  onChange={(e) => {
                    const next = new Set(selected);
                    if (e.target.checked) next.add(c.id);
                    else next.delete(c.id);
                    setSelected(next);
                    setAllMatching(false);
                  }}
                />
              </td>
              <td>
                <Link to={`/contacts/${c.id}`}>{c.email ?? '(no email)'}</Link>
              </td>
              <td>{c.externalId ?? '—'}</td>
              <td>{c.tags.join(', ')}</td>
              {columns.map((key) => (
                <td key={key}>{c.attributes[key] === undefined ? '' : String(c.attributes[key])}</td>
              ))}
              <td>{c.lastActivityAt ? formatDate(c.lastActivityAt) : '—'}</td>
              <td>{formatDate(c.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        {selected.size > 0 && !allMatching && (table.data?.total ?? 0) > rows.length && (
          <button type="button" className="link-button" onClick={() => setAllMatching(true)}>
            Select all {table.data?.total} matching contacts
          </button>
        )}
        <button type="button" disabled={page.length < 2} onClick={() => setPage(page.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          disabled={!table.data?.nextCursor}
          onClick={() => table.data?.nextCursor && setPage([...page, table.data.nextCursor])}
        >
          Next
        </button>
      </div>
      {can('contacts:write') && <NewContactCard />}
    </div>
  );
}

function NewContactCard() {
  const createContact = useCreateContact();
  const navigate = useNavigate();
  const [form, setForm] = useState({ userId: '', email: '', phone: '', timezone: '' });
  const errors = fieldErrors(createContact.error);
  return (
    <section className="card audience-form">
      <h2 className="section-title">Add a contact</h2>
      <ErrorAlert error={formLevelError(createContact.error, Object.keys(form))} />
      {(['userId', 'email', 'phone', 'timezone'] as const).map((key) => (
        <div className={`field ${errors.has(key) ? 'field-error' : ''}`} key={key}>
          <label htmlFor={`new-${key}`}>
            {key === 'userId' ? 'User id' : key[0].toUpperCase() + key.slice(1)}
          </label>
          <input
            id={`new-${key}`}
            value={form[key]}
            onChange={(e) => setForm({ ...form, [key]: e.target.value })}
          />
          {errors.has(key) && <div className="field-message">{errors.get(key)}</div>}
        </div>
      ))}
      <button
        type="button"
        className="primary"
        onClick={() =>
          createContact.mutate(Object.fromEntries(Object.entries(form).filter(([, v]) => v)), {
            onSuccess: (contact) => navigate(`/contacts/${contact.id}`),
          })
        }
      >
        Create
      </button>
    </section>
  );
}
