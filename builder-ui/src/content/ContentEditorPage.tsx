import { type ReactNode, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import {
  type ContentFields,
  useAssets,
  useContentChanges,
  useContentItem,
  useContentPerformance,
} from '../api/content';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { fieldErrors, formLevelError } from '../crm/deals/field-errors';
import { AssetUpload } from './AssetUpload';
import { PublishPanel } from './PublishPanel';
import './content.css';

const FIELDS = [
  'kind',
  'title',
  'body',
  'assetId',
  'category',
  'tags',
  'status',
  'details.code',
  'details.url',
];

function Field(props: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div className={`field${props.error ? ' field-error' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.error && (
        <div className="field-message" data-field-error={props.id}>
          {props.error}
        </div>
      )}
    </div>
  );
}

const empty: ContentFields = { kind: 'article', title: '', body: '', status: 'draft', tags: [], details: {} };

/** Create or edit a content item; once saved, its social posts and performance. */
export function ContentEditorPage() {
  const { itemId } = useParams();
  const id = itemId === 'new' ? undefined : itemId;
  const navigate = useNavigate();
  const can = useCan();
  const item = useContentItem(id);
  const assets = useAssets();
  const performance = useContentPerformance(id);
  const { create, update } = useContentChanges();
  const [fields, setFields] = useState<ContentFields>(empty);
  const [tags, setTags] = useState('');
  useEffect(() => {
    if (!item.data) return;
    const { kind, title, body, assetId, category, status, details } = item.data;
    setFields({ kind, title, body, assetId, category, status, tags: item.data.tags, details });
    setTags(item.data.tags.join(', '));
  }, [item.data]);
  const mutation = id ? update : create;
  const errors = fieldErrors(mutation.error);
  const details = (fields.details ?? {}) as Record<string, string | undefined>;
  const set = (patch: Partial<ContentFields>) => setFields((f) => ({ ...f, ...patch }));
  const asset = (assets.data ?? []).find((a) => a.id === fields.assetId) ?? null;

  const save = () => {
    const payload: ContentFields = {
      ...fields,
      category: fields.category || null,
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    };
    if (id) update.mutate({ id, fields: payload });
    else
      create.mutate(payload, { onSuccess: (saved) => navigate(`/content/${saved.id}`, { replace: true }) });
  };

  return (
    <div className="page" data-testid="content-editor">
      <div className="page-head">
        <h1>{id ? fields.title || 'Content item' : 'New content item'}</h1>
        {item.data?.status === 'published' && (
          <a href={`/p/content/${item.data.id}`} target="_blank" rel="noreferrer">
            Public page
          </a>
        )}
      </div>
      <ErrorAlert error={item.error ?? formLevelError(mutation.error, FIELDS)} />
      <div className="content-editor">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <Field id="content-kind" label="Kind" error={errors.get('kind')}>
            <select
              id="content-kind"
              value={fields.kind}
              onChange={(e) => set({ kind: e.target.value as ContentFields['kind'] })}
            >
              {['article', 'image', 'video', 'offer', 'coupon'].map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </Field>
          <Field id="content-title" label="Title" error={errors.get('title')}>
            <input id="content-title" value={fields.title} onChange={(e) => set({ title: e.target.value })} />
          </Field>
          <Field id="content-body" label="Text" error={errors.get('body')}>
            <textarea
              id="content-body"
              value={fields.body ?? ''}
              onChange={(e) => set({ body: e.target.value })}
            />
          </Field>
          <Field id="content-asset" label="File" error={errors.get('assetId')}>
            <select
              id="content-asset"
              value={fields.assetId ?? ''}
              onChange={(e) => set({ assetId: e.target.value || null })}
            >
              <option value="">No file</option>
              {(assets.data ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.filename}
                </option>
              ))}
            </select>
          </Field>
          {can('content:write') && <AssetUpload asset={asset} onUploaded={(a) => set({ assetId: a.id })} />}
          {(fields.kind === 'offer' || fields.kind === 'coupon') && (
            <>
              <Field id="content-code" label="Coupon code" error={errors.get('details.code')}>
                <input
                  id="content-code"
                  value={details.code ?? ''}
                  onChange={(e) => set({ details: { ...details, code: e.target.value || undefined } })}
                />
              </Field>
              <Field id="content-url" label="Offer link" error={errors.get('details.url')}>
                <input
                  id="content-url"
                  value={details.url ?? ''}
                  onChange={(e) => set({ details: { ...details, url: e.target.value || undefined } })}
                />
              </Field>
            </>
          )}
          <Field id="content-category" label="Category" error={errors.get('category')}>
            <input
              id="content-category"
              value={fields.category ?? ''}
              onChange={(e) => set({ category: e.target.value })}
            />
          </Field>
          <Field id="content-tags" label="Tags (comma-separated)" error={errors.get('tags')}>
            <input id="content-tags" value={tags} onChange={(e) => setTags(e.target.value)} />
          </Field>
          <Field id="content-status" label="Status" error={errors.get('status')}>
            <select
              id="content-status"
              value={fields.status}
              onChange={(e) => set({ status: e.target.value as ContentFields['status'] })}
            >
              {['draft', 'published', 'archived'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </Field>
          {can('content:write') && (
            <div className="panel-actions">
              <button type="submit" className="primary" disabled={mutation.isPending}>
                Save
              </button>
              {mutation.isSuccess && <span role="status">Saved</span>}
            </div>
          )}
        </form>
        <div>
          {performance.data && (
            <section className="panel" data-testid="content-performance">
              <h2>Performance</h2>
              <div className="perf-numbers">
                <div>
                  <strong>{performance.data.views}</strong>views
                </div>
                <div>
                  <strong>{performance.data.clicks}</strong>clicks
                </div>
                <div>
                  <strong>{performance.data.likes}</strong>likes
                </div>
                <div>
                  <strong>{performance.data.shares}</strong>shares
                </div>
                <div>
                  <strong>{performance.data.comments}</strong>comments
                </div>
                <div>
                  <strong>{performance.data.posts}</strong>posts
                </div>
              </div>
            </section>
          )}
          {item.data && <PublishPanel item={item.data} />}
        </div>
      </div>
    </div>
  );
}
