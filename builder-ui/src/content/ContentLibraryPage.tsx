import { useState } from 'react';
import { Link } from 'react-router';
import { type ContentFilter, useAssets, useContentItems } from '../api/content';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { AssetUpload } from './AssetUpload';
import { SocialAccountsPanel } from './SocialAccountsPanel';
import './content.css';

const KINDS = ['article', 'image', 'video', 'offer', 'coupon'];
const STATUSES = ['draft', 'published', 'archived'];

/** The content library: items with filters, and the workspace's uploaded files. */
export function ContentLibraryPage() {
  const can = useCan();
  const [filter, setFilter] = useState<ContentFilter>({});
  const items = useContentItems(filter);
  const assets = useAssets();
  const set = (key: keyof ContentFilter, value: string) =>
    setFilter((f) => ({ ...f, [key]: value || undefined }));

  return (
    <div className="page" data-testid="content-library">
      <div className="page-head">
        <h1>Content</h1>
        {can('content:write') && (
          <Link className="button primary" to="/content/new">
            New item
          </Link>
        )}
      </div>
      <div className="content-filters">
        <input
          aria-label="Search"
          placeholder="Search title or text"
          onChange={(e) => set('q', e.target.value)}
        />
        <select aria-label="Kind" onChange={(e) => set('kind', e.target.value)}>
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        <select aria-label="Status" onChange={(e) => set('status', e.target.value)}>
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <input aria-label="Tag" placeholder="Tag" onChange={(e) => set('tag', e.target.value.trim())} />
      </div>
      <ErrorAlert error={items.error ?? assets.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Title</th>
            <th>Kind</th>
            <th>Status</th>
            <th>Category</th>
            <th>Tags</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {(items.data ?? []).map((item) => (
            <tr key={item.id}>
              <td>
                <Link to={`/content/${item.id}`}>{item.title}</Link>
              </td>
              <td>{item.kind}</td>
              <td>
                <span className={`badge status-${item.status}`}>{item.status}</span>
              </td>
              <td>{item.category ?? ''}</td>
              <td>{item.tags.join(', ')}</td>
              <td>{new Date(item.updatedAt).toLocaleString()}</td>
            </tr>
          ))}
          {items.data?.length === 0 && (
            <tr>
              <td colSpan={6}>No content matches.</td>
            </tr>
          )}
        </tbody>
      </table>
      <h2>Files</h2>
      {can('content:write') && <AssetUpload />}
      <div className="asset-grid" data-testid="asset-grid">
        {(assets.data ?? []).map((asset) => (
          <figure key={asset.id}>
            {asset.thumbnailUrl ? <img src={`/p/assets/${asset.id}/thumbnail`} alt={asset.filename} /> : null}
            <figcaption>{asset.filename}</figcaption>
          </figure>
        ))}
      </div>
      <SocialAccountsPanel />
    </div>
  );
}
