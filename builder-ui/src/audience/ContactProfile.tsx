import './audience.css';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  type AttributeDefinition,
  useAttributeDefinitions,
  useContact,
  useContactLists,
  useContactRuns,
  useContactSearch,
  useMergeContact,
  useUpdateContact,
} from '../api/contacts';
import { useJourneys } from '../api/journeys';
import { useListChanges, useLists } from '../api/lists';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import type { Contact } from '../lib/types';
import { useDebounced } from '../lib/use-debounced';
import { fieldErrors, formLevelError } from './field-errors';
import { Timeline } from './Timeline';

/** One contact: every field, attribute, tag, list and subscription editable; its timeline and journey runs. */
export function ContactProfile() {
  const contactId = useParams().contactId!;
  const contactQuery = useContact(contactId);
  const contact = contactQuery.data;
  if (contactQuery.error)
    return (
      <div className="page">
        <ErrorAlert error={contactQuery.error} />
      </div>
    );
  if (!contact) return <div className="page loading">Loading contact…</div>;
  return (
    <div className="page" data-testid="contact-profile">
      <div className="page-head">
        <h1>{contact.email ?? contact.externalId ?? contact.id}</h1>
        <Link to="/contacts">All contacts</Link>
      </div>
      <div className="cards">
        <IdentityCard contact={contact} />
        <AttributesCard contact={contact} />
        <TagsAndListsCard contact={contact} />
        <SubscriptionsCard contact={contact} />
      </div>
      <Timeline contactId={contactId} />
      <Runs contactId={contactId} />
      <MergeCard contact={contact} />
    </div>
  );
}

const IDENTITY = [
  ['userId', 'User id', 'externalId'],
  ['email', 'Email', 'email'],
  ['phone', 'Phone', 'phone'],
  ['timezone', 'Time zone', 'timezone'],
] as const;

function IdentityCard({ contact }: { contact: Contact }) {
  const can = useCan();
  const update = useUpdateContact(contact.id);
  const [form, setForm] = useState(() =>
    Object.fromEntries(IDENTITY.map(([key, , column]) => [key, contact[column] ?? ''])),
  );
  const errors = fieldErrors(update.error);
  return (
    <form
      className="card"
      data-testid="identity-form"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate(
          Object.fromEntries(
            IDENTITY.filter(([key, , column]) => (form[key] || null) !== contact[column]).map(([key]) => [
              key,
              form[key] || null,
            ]),
          ),
        );
      }}
    >
      <h2 className="section-title">Profile</h2>
      <ErrorAlert
        error={formLevelError(
          update.error,
          IDENTITY.map(([key]) => key),
        )}
      />
      <div className="field">
        <label htmlFor="contact-id">Id</label>
        <div id="contact-id" className="mono">
          {contact.id}
        </div>
      </div>
      {IDENTITY.map(([key, label]) => (
        <div className={`field ${errors.has(key) ? 'field-error' : ''}`} key={key}>
          <label htmlFor={`contact-${key}`}>{label}</label>
          <input
            id={`contact-${key}`}
            value={form[key]}
            disabled={!can('contacts:write')}
            onChange={(e) => setForm({ ...form, [key]: e.target.value })}
          />
          {errors.has(key) && <div className="field-message">{errors.get(key)}</div>}
        </div>
      ))}
      {can('contacts:write') && (
        <button type="submit" className="primary" disabled={update.isPending}>
          Save profile
        </button>
      )}
      {update.isSuccess && <span className="muted"> Saved.</span>}
    </form>
  );
}

function AttributeInput(props: {
  id: string;
  definition?: AttributeDefinition;
  value: unknown;
  disabled: boolean;
  onChange: (value: unknown) => void;
}) {
  const { definition, value } = props;
  const text =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (definition?.type === 'boolean')
    return (
      <input
        id={props.id}
        type="checkbox"
        checked={value === true}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    );
  if (definition?.type === 'enum')
    return (
      <select
        id={props.id}
        value={text}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value || null)}
      >
        <option value="">—</option>
        {definition.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  return (
    <input
      id={props.id}
      type={definition?.type === 'date' ? 'date' : 'text'}
      inputMode={definition?.type === 'number' ? 'decimal' : undefined}
      value={text}
      disabled={props.disabled}
      // A number field sends what was typed: the server checks it and names the field if it is not a number.
      onChange={(e) => props.onChange(e.target.value === '' ? null : e.target.value)}
    />
  );
}

function AttributesCard({ contact }: { contact: Contact }) {
  const can = useCan();
  const update = useUpdateContact(contact.id);
  const definitions = useAttributeDefinitions().data ?? [];
  const [values, setValues] = useState<Record<string, unknown>>({ ...contact.attributes });
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const errors = fieldErrors(update.error);
  const keys = [...new Set([...definitions.map((d) => d.key), ...Object.keys(values)])];
  const save = () => {
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    for (const key of keys) {
      const value = values[key];
      if (value === null || value === undefined) {
        if (key in contact.attributes) unset.push(key);
      } else if (JSON.stringify(value) !== JSON.stringify(contact.attributes[key])) set[key] = value;
    }
    if (newKey) set[newKey] = newValue;
    update.mutate(
      { attributes: set, unsetAttributes: unset },
      {
        onSuccess: (saved) => {
          setValues({ ...saved.attributes });
          setNewKey('');
          setNewValue('');
        },
      },
    );
  };
  return (
    <section className="card" data-testid="attributes-form">
      <h2 className="section-title">Attributes</h2>
      <ErrorAlert error={formLevelError(update.error, ['attributes', 'unsetAttributes'])} />
      {keys.map((key) => {
        const definition = definitions.find((d) => d.key === key);
        const error = errors.get(`attributes.${key}`);
        return (
          <div className={`field ${error ? 'field-error' : ''}`} key={key}>
            <label htmlFor={`attr-${key}`}>
              {definition?.label ?? key} {definition && <span className="muted">({definition.type})</span>}
            </label>
            <div className="field-inline">
              <AttributeInput
                id={`attr-${key}`}
                definition={definition}
                value={values[key]}
                disabled={!can('contacts:write')}
                onChange={(value) => setValues({ ...values, [key]: value })}
              />
              {can('contacts:write') && !definition && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setValues({ ...values, [key]: null })}
                  aria-label={`Clear ${key}`}
                >
                  Clear
                </button>
              )}
            </div>
            {error && <div className="field-message">{error}</div>}
          </div>
        );
      })}
      {can('contacts:write') && (
        <>
          <div className="field-row">
            <input
              placeholder="New attribute"
              aria-label="New attribute name"
              value={newKey}
              onChange={(e) => setNewKey(e.target.value)}
            />
            <input
              placeholder="Value"
              aria-label="New attribute value"
              value={newValue}
              onChange={(e) => setNewValue(e.target.value)}
            />
          </div>
          <button type="button" className="primary" onClick={save} disabled={update.isPending}>
            Save attributes
          </button>
          {update.isSuccess && <span className="muted"> Saved.</span>}
        </>
      )}
    </section>
  );
}

function TagsAndListsCard({ contact }: { contact: Contact }) {
  const can = useCan();
  const update = useUpdateContact(contact.id);
  const lists = useLists().data ?? [];
  const memberOf = useContactLists(contact.id);
  const { addMembers, removeMembers } = useListChanges();
  const [tag, setTag] = useState('');
  const [listId, setListId] = useState('');
  const errors = fieldErrors(update.error);
  const mine = new Set((memberOf.data ?? []).map((l) => l.id));
  return (
    <section className="card" data-testid="tags-lists">
      <h2 className="section-title">Tags</h2>
      <div className="chips">
        {contact.tags.map((t) => (
          <span className="chip" key={t}>
            {t}
            {can('contacts:write') && (
              <button
                type="button"
                className="link-button"
                aria-label={`Remove tag ${t}`}
                onClick={() => update.mutate({ removeTags: [t] })}
              >
                ×
              </button>
            )}
          </span>
        ))}
        {contact.tags.length === 0 && <span className="muted">No tags.</span>}
      </div>
      {can('contacts:write') && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (tag) update.mutate({ addTags: [tag] }, { onSuccess: () => setTag('') });
          }}
        >
          <input
            placeholder="Add a tag"
            aria-label="Add a tag"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
          <button type="submit">Add tag</button>
        </form>
      )}
      {errors.get('addTags.0') && <div className="field-message">{errors.get('addTags.0')}</div>}
      <h2 className="section-title">Lists</h2>
      <ErrorAlert error={addMembers.error ?? removeMembers.error} />
      <div className="chips" data-testid="contact-lists">
        {(memberOf.data ?? []).map((l) => (
          <span className="chip" key={l.id}>
            <Link to={`/lists/${l.id}`}>{l.name}</Link>
            {can('contacts:write') && (
              <button
                type="button"
                className="link-button"
                aria-label={`Remove from ${l.name}`}
                onClick={() => removeMembers.mutate({ id: l.id, contactIds: [contact.id] })}
              >
                ×
              </button>
            )}
          </span>
        ))}
        {memberOf.data?.length === 0 && <span className="muted">In no list.</span>}
      </div>
      {can('contacts:write') && (
        <div className="inline-form">
          <select aria-label="Add to list" value={listId} onChange={(e) => setListId(e.target.value)}>
            <option value="">Choose a list…</option>
            {lists
              .filter((l) => !mine.has(l.id))
              .map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
          </select>
          <button
            type="button"
            disabled={!listId}
            onClick={() =>
              addMembers.mutate({ id: listId, contactIds: [contact.id] }, { onSuccess: () => setListId('') })
            }
          >
            Add to list
          </button>
        </div>
      )}
    </section>
  );
}

function SubscriptionsCard({ contact }: { contact: Contact }) {
  const can = useCan();
  const update = useUpdateContact(contact.id);
  const [channel, setChannel] = useState('');
  const channels = [...new Set(['email', 'sms', 'push', ...Object.keys(contact.subscriptions)])];
  return (
    <section className="card" data-testid="subscriptions">
      <h2 className="section-title">Subscriptions</h2>
      <ErrorAlert error={update.error} />
      {channels.map((c) => (
        <div className="field field-inline" key={c}>
          <label htmlFor={`sub-${c}`}>{c}</label>
          <select
            id={`sub-${c}`}
            value={contact.subscriptions[c] ?? ''}
            disabled={!can('contacts:write')}
            onChange={(e) => e.target.value && update.mutate({ subscriptions: { [c]: e.target.value } })}
          >
            <option value="">not set</option>
            <option value="subscribed">subscribed</option>
            <option value="unsubscribed">unsubscribed</option>
          </select>
        </div>
      ))}
      {can('contacts:write') && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (channel)
              update.mutate(
                { subscriptions: { [channel]: 'subscribed' } },
                { onSuccess: () => setChannel('') },
              );
          }}
        >
          <input
            placeholder="topic:newsletter"
            aria-label="Subscribe to"
            value={channel}
            onChange={(e) => setChannel(e.target.value)}
          />
          <button type="submit">Subscribe</button>
        </form>
      )}
    </section>
  );
}

function Runs({ contactId }: { contactId: string }) {
  const runs = useContactRuns(contactId).data ?? [];
  const journeys = Object.fromEntries((useJourneys().data ?? []).map((j) => [j.id, j.name]));
  return (
    <section>
      <h2 className="section-title">Journey runs</h2>
      {runs.length === 0 && <p className="muted">Not in any journey yet.</p>}
      {runs.map((run) => (
        <div className="card run" key={run.id}>
          <div className="run-head">
            <Link to={`/journeys/${run.journeyId}`}>{journeys[run.journeyId] ?? run.journeyId}</Link> v
            {run.version}
            <span className={`badge status-${run.status}`}>{run.status}</span>
            {run.entryKey && (
              <span className="badge" title="Entry key: one run per key">
                key {run.entryKey}
              </span>
            )}
            <span className="muted">
              {formatDate(run.startedAt)}
              {run.exitReason ? ` — ${run.exitReason}` : ''}
            </span>
            <Link
              className="run-replay"
              to={`/journeys/${run.journeyId}?replay=${encodeURIComponent(run.workflowId)}&contact=${contactId}`}
            >
              Replay on the canvas
            </Link>
          </div>
          <ol className="path">
            {run.path.map((step) => (
              <li key={`${step.nodeId}-${step.visit}`}>
                <b>{step.nodeId}</b>
                {step.port && <span className="sim-port">→ {step.port}</span>}
                <span className="muted"> {formatDate(step.enteredAt)}</span>
                {!step.leftAt && run.status === 'running' && <span className="badge">waiting here</span>}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}

function MergeCard({ contact }: { contact: Contact }) {
  const can = useCan();
  const merge = useMergeContact(contact.id);
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const found = useContactSearch(useDebounced(search, 250), search.length > 1);
  if (!can('contacts:write')) return null;
  return (
    <section className="card" data-testid="merge-card">
      <h2 className="section-title">Merge a duplicate into this contact</h2>
      <p className="muted">
        This contact keeps its values; the duplicate fills the gaps, its events, messages, runs and lists move
        here, and it is deleted.
      </p>
      <ErrorAlert error={merge.error} />
      <input
        type="search"
        placeholder="Find the duplicate by email or id"
        aria-label="Find duplicate"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <ul className="plain-list">
        {(found.data ?? [])
          .filter((c) => c.id !== contact.id)
          .slice(0, 5)
          .map((c) => (
            <li key={c.id}>
              {c.email ?? c.externalId ?? c.id}{' '}
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  if (
                    window.confirm(
                      `Merge ${c.email ?? c.externalId ?? c.id} into this contact? It will be deleted.`,
                    )
                  )
                    merge.mutate(c.id, { onSuccess: () => navigate(`/contacts/${contact.id}`) });
                }}
              >
                Merge into this contact
              </button>
            </li>
          ))}
      </ul>
    </section>
  );
}
