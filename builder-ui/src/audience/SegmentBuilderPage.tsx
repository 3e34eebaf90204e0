import './audience.css';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { useJourneys } from '../api/journeys';
import { useLists } from '../api/lists';
import { usePickerSources } from '../api/pickers';
import {
  type SegmentGroup,
  type SegmentUser,
  useSegment,
  useSegmentChanges,
  useSegmentPreview,
  useSegmentSizes,
  useSegmentUsage,
} from '../api/segments';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { useDebounced } from '../lib/use-debounced';
import { fieldErrors, formLevelError } from './field-errors';
import { GroupEditor, newRule } from './RuleEditor';

const EMPTY: SegmentGroup = { match: 'all', rules: [newRule('attribute')] };

/** Builds a segment over the rules engine: nested AND/OR groups, a live count, a preview, size over time, its users. */
export function SegmentBuilderPage() {
  const segmentId = useParams().segmentId;
  const isNew = !segmentId || segmentId === 'new';
  const segment = useSegment(isNew ? undefined : segmentId);
  const [name, setName] = useState('');
  const [definition, setDefinition] = useState<SegmentGroup>(EMPTY);
  const [loaded, setLoaded] = useState(isNew);
  useEffect(() => {
    if (segment.data && !loaded) {
      setName(segment.data.name);
      setDefinition(segment.data.definition);
      setLoaded(true);
    }
  }, [segment.data, loaded]);
  const preview = useSegmentPreview(useDebounced(definition, 400));
  const sizes = useSegmentSizes(isNew ? undefined : segmentId);
  const usage = useSegmentUsage(isNew ? undefined : segmentId);
  const { create, update, remove } = useSegmentChanges();
  const lists = (useLists().data ?? []).map((l) => l.name);
  const journeys = (useJourneys().data ?? []).map((j) => ({ id: j.id, name: j.name }));
  const pipelines = usePickerSources().data?.pipelines ?? [];
  const can = useCan();
  const navigate = useNavigate();
  const saving = isNew ? create : update;
  const errors = fieldErrors(saving.error);
  const inUse =
    remove.error instanceof ApiError && Array.isArray(remove.error.details.users)
      ? (remove.error.details.users as SegmentUser[])
      : null;

  const save = () => {
    if (isNew) create.mutate({ name, definition }, { onSuccess: (s) => navigate(`/segments/${s.id}`) });
    else update.mutate({ id: segmentId!, name, definition });
  };

  if (segment.error)
    return (
      <div className="page">
        <ErrorAlert error={segment.error} />
      </div>
    );
  if (!loaded) return <div className="page loading">Loading segment…</div>;
  const previewError = preview.error ? fieldErrors(preview.error) : null;
  return (
    <div className="page" data-testid="segment-builder">
      <div className="page-head">
        <h1>{isNew ? 'New segment' : name}</h1>
        <div className="page-actions">
          <Link to="/segments">All segments</Link>
        </div>
      </div>
      <div className="segment-layout">
        <div>
          <div className={`field ${errors.has('name') ? 'field-error' : ''}`}>
            <label htmlFor="segment-name">Name</label>
            <input id="segment-name" value={name} onChange={(e) => setName(e.target.value)} />
            {errors.has('name') && <div className="field-message">{errors.get('name')}</div>}
          </div>
          <GroupEditor
            group={definition}
            onChange={setDefinition}
            depth={0}
            lists={lists}
            journeys={journeys}
            pipelines={pipelines}
          />
          <ErrorAlert error={formLevelError(saving.error, ['name'])} />
          {can('segments:write') && (
            <div className="page-actions">
              <button type="button" className="primary" onClick={save} disabled={saving.isPending || !name}>
                {isNew ? 'Create segment' : 'Save segment'}
              </button>
              {update.isSuccess && !isNew && <span className="muted">Saved; membership re-evaluated.</span>}
              {!isNew && (
                <button
                  type="button"
                  className="danger"
                  onClick={() => {
                    if (window.confirm(`Delete the segment ${name}?`))
                      remove.mutate(segmentId!, { onSuccess: () => navigate('/segments') });
                  }}
                >
                  Delete
                </button>
              )}
            </div>
          )}
          {inUse ? (
            <div className="alert error" data-testid="segment-in-use">
              This segment is in use and cannot be deleted:
              <ul>
                {inUse.map((u) => (
                  <li key={u.id}>
                    {u.type} {u.type === 'journey' ? <Link to={`/journeys/${u.id}`}>{u.name}</Link> : u.name}{' '}
                    ({u.status})
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <ErrorAlert error={remove.error} />
          )}
        </div>
        <aside className="segment-side">
          <section className="card">
            <h2 className="section-title">Matching now</h2>
            {previewError ? (
              <p className="field-message" data-testid="segment-preview-error">
                {[...previewError.entries()].map(([field, message]) => `${field}: ${message}`).join('; ') ||
                  (preview.error as Error).message}
              </p>
            ) : (
              <p className="big-number" data-testid="segment-count">
                {preview.data ? preview.data.count : '…'}
              </p>
            )}
            <ul className="plain-list" data-testid="segment-sample">
              {(preview.data?.sample ?? []).map((c) => (
                <li key={c.id}>
                  <Link to={`/contacts/${c.id}`}>{c.email ?? c.userId ?? c.id}</Link>
                </li>
              ))}
            </ul>
            {!isNew && <Link to={`/contacts?segmentId=${segmentId}`}>All members</Link>}
          </section>
          {!isNew && (
            <>
              <section className="card">
                <h2 className="section-title">Size over time</h2>
                <SizeChart points={sizes.data ?? []} />
              </section>
              <section className="card" data-testid="segment-usage">
                <h2 className="section-title">Used by</h2>
                {(usage.data ?? []).length === 0 && (
                  <p className="muted">No journey, campaign or broadcast.</p>
                )}
                <ul className="plain-list">
                  {(usage.data ?? []).map((u) => (
                    <li key={u.id}>
                      {u.type}:{' '}
                      {u.type === 'journey' ? <Link to={`/journeys/${u.id}`}>{u.name}</Link> : u.name}{' '}
                      <span className={`badge status-${u.status}`}>{u.status}</span>
                    </li>
                  ))}
                </ul>
              </section>
            </>
          )}
        </aside>
      </div>
    </div>
  );
}

function SizeChart({ points }: { points: { day: string; members: number }[] }) {
  if (points.length === 0) return <p className="muted">Recorded once a day when the segment is evaluated.</p>;
  const max = Math.max(1, ...points.map((p) => p.members));
  const width = 280;
  const height = 80;
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const path = points
    .map(
      (p, i) =>
        `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - (p.members / max) * height).toFixed(1)}`,
    )
    .join(' ');
  const last = points[points.length - 1];
  return (
    <figure className="size-chart" data-testid="segment-sizes">
      <svg width={width} height={height + 4} role="img" aria-label="Segment size per day">
        <path d={path} fill="none" stroke="currentColor" strokeWidth={2} />
        {points.map((p, i) => (
          <circle key={p.day} cx={i * step} cy={height - (p.members / max) * height} r={3}>
            <title>
              {p.day}: {p.members}
            </title>
          </circle>
        ))}
      </svg>
      <figcaption className="muted">
        {points[0].day} – {last.day}: {last.members} now, peak {max}
      </figcaption>
    </figure>
  );
}
