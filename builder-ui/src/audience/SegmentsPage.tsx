import './audience.css';
import { Link } from 'react-router';
import { useSegments } from '../api/segments';
import { useCan } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';

/** The workspace's segments with their sizes. */
export function SegmentsPage() {
  const segments = useSegments();
  const can = useCan();
  return (
    <div className="page" data-testid="segments-page">
      <div className="page-head">
        <h1>Segments</h1>
        {can('segments:write') && (
          <div className="page-actions">
            <Link className="button primary" to="/segments/new">
              New segment
            </Link>
          </div>
        )}
      </div>
      <ErrorAlert error={segments.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th className="num">Members</th>
            <th>Changed</th>
          </tr>
        </thead>
        <tbody>
          {(segments.data ?? []).map((s) => (
            <tr key={s.id}>
              <td>
                <Link to={`/segments/${s.id}`}>{s.name}</Link>
              </td>
              <td className="num">{s.members}</td>
              <td>{formatDate(s.updatedAt)}</td>
            </tr>
          ))}
          {segments.data?.length === 0 && (
            <tr>
              <td colSpan={3} className="muted">
                No segments yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
