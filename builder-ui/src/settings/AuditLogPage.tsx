import { useState } from 'react';
import { type AuditFilters, type AuditRow, auditQuery, useAuditPage } from '../api/audit-log';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { AuditFilterForm, emptyFilters } from './AuditFilterForm';

/**
 * Who did what, when and from where, newest first: filters by actor, action, object type and
 * dates, pages by cursor, and the same filters as a CSV download.
 */
export function AuditLogPage() {
  const [filters, setFilters] = useState<AuditFilters>(emptyFilters);
  // The cursors of the pages seen so far: the last one is the page shown.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const page = useAuditPage(filters, cursor);

  return (
    <div className="page" data-testid="audit-log-page">
      <div className="page-head">
        <h1>Audit log</h1>
        <div className="page-actions">
          <a className="button-link" href={`/v1/audit-log.csv${auditQuery(filters)}`} download>
            Export CSV
          </a>
        </div>
      </div>
      <AuditFilterForm
        filters={filters}
        onApply={(next) => {
          setFilters(next);
          setCursors([null]);
        }}
      />
      <ErrorAlert error={page.error} />
      {page.isPending && <p className="muted">Loading…</p>}
      {page.data?.data.length === 0 && <p className="muted">No entries match these filters.</p>}
      {!!page.data?.data.length && (
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Object</th>
              <th>Outcome</th>
              <th>From</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {page.data.data.map((row) => (
              <AuditLine key={row.seq} row={row} />
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          disabled={!page.data?.nextCursor || page.isPlaceholderData}
          onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
        >
          Older →
        </button>
      </div>
    </div>
  );
}

function AuditLine(props: { row: AuditRow }) {
  const { row } = props;
  return (
    <tr data-action={row.action}>
      <td>{formatDate(row.at)}</td>
      <td>
        {row.actorLabel ?? row.actorId ?? '—'}
        <div className="muted">{row.actorType}</div>
      </td>
      <td className="mono">{row.action}</td>
      <td>
        {row.objectType ?? '—'}
        {row.objectId && <div className="mono muted">{row.objectId}</div>}
      </td>
      <td>
        <span className={`badge outcome-${row.outcome}`}>{row.outcome}</span>
      </td>
      <td title={row.userAgent ?? undefined}>{row.ip ?? '—'}</td>
      <td>
        {row.change && (
          <details>
            <summary>Details</summary>
            <pre className="change mono">{JSON.stringify(row.change, null, 2)}</pre>
          </details>
        )}
      </td>
    </tr>
  );
}
