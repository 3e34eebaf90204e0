import { Link, useNavigate, useSearchParams } from 'react-router';
import { useCan } from '../../api/session';
import { templateKinds, useTemplates } from '../../api/templates';
import { ErrorAlert } from '../../components/ErrorAlert';
import './templates.css';

/** Every message template, layout and snippet, with search, channel and tag filters (kept in the address). */
export function TemplateListPage() {
  const [params, setParams] = useSearchParams();
  const can = useCan();
  const navigate = useNavigate();
  const filters = {
    search: params.get('search') ?? undefined,
    channel: params.get('channel') ?? undefined,
    tag: params.get('tag') ?? undefined,
  };
  const templates = useTemplates(filters);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <div className="page" data-testid="templates-page">
      <div className="page-head">
        <h1>Templates</h1>
        {can('templates:write') && (
          <div className="page-actions">
            <button type="button" onClick={() => navigate('/templates/new')}>
              New template
            </button>
          </div>
        )}
      </div>
      <div className="inline-form template-filters">
        <input
          type="search"
          aria-label="Search templates"
          placeholder="Search name, subject or text"
          value={filters.search ?? ''}
          onChange={(e) => set('search', e.target.value)}
        />
        <select
          aria-label="Channel"
          value={filters.channel ?? ''}
          onChange={(e) => set('channel', e.target.value)}
        >
          <option value="">All channels</option>
          {templateKinds.map((kind) => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
        <input
          aria-label="Tag"
          placeholder="Tag"
          value={filters.tag ?? ''}
          onChange={(e) => set('tag', e.target.value)}
        />
      </div>
      <ErrorAlert error={templates.error} />
      {templates.data && templates.data.length === 0 && <p className="help">No template matches.</p>}
      {templates.data && templates.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Channel</th>
              <th>Subject</th>
              <th>Tags</th>
              <th>Version</th>
              <th>Saved</th>
            </tr>
          </thead>
          <tbody>
            {templates.data.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link to={`/templates/${t.id}`}>{t.name}</Link>
                </td>
                <td>
                  <span className="badge">{t.channel}</span>
                  {t.mjml ? <span className="badge">MJML</span> : null}
                </td>
                <td>{t.subject}</td>
                <td>
                  {t.tags.map((tag) => (
                    <button
                      key={tag}
                      type="button"
                      className="link-button tag"
                      onClick={() => set('tag', tag)}
                    >
                      #{tag}
                    </button>
                  ))}
                </td>
                <td className="num">v{t.version}</td>
                <td>
                  {new Date(t.updatedAt).toLocaleString()}
                  {t.updatedBy ? ` · ${t.updatedBy}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
