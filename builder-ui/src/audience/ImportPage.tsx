import './audience.css';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  contactImports,
  type ImportPreview,
  type Job,
  useAttributeDefinitions,
  useJob,
} from '../api/contacts';
import { useLists } from '../api/lists';
import { ErrorAlert } from '../components/ErrorAlert';
import { JobProgress } from './JobProgress';

const BUILT_IN = [
  ['userId', 'User id'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['timezone', 'Time zone'],
  ['tags', 'Tags (separated by ;)'],
  ['anonymousId', 'Anonymous id'],
  ['subscriptions.email', 'Email subscription'],
  ['subscriptions.sms', 'SMS subscription'],
] as const;

/** The header of a CSV file (quoted names allowed). */
function headerOf(text: string): string[] {
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field.trim());
      field = '';
    } else field += c;
  }
  out.push(field.trim());
  return out.filter((name, i) => name !== '' || i < out.length - 1);
}

function guess(column: string, keys: string[]): string {
  const plain = column.toLowerCase().replace(/[\s_-]/g, '');
  const known: Record<string, string> = {
    userid: 'userId',
    id: 'userId',
    externalid: 'userId',
    email: 'email',
    mail: 'email',
    emailaddress: 'email',
    phone: 'phone',
    mobile: 'phone',
    timezone: 'timezone',
    tags: 'tags',
  };
  if (known[plain]) return known[plain];
  const defined = keys.find((k) => k.toLowerCase() === column.toLowerCase());
  return `attributes.${defined ?? column}`;
}

/** The rejected rows of an import as CSV: the original line and why it was refused. */
function rejectedCsv(file: string, job: Job): string {
  const lines = file.replace(/^\uFEFF/, '').split(/\r?\n/);
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const rows = job.errors
    .filter((e) => e.line !== undefined)
    .map(
      (e) =>
        `${lines[(e.line as number) - 1] ?? ''},${quote(`line ${e.line}${e.field ? ` ${e.field}` : ''}: ${e.message}`)}`,
    );
  return `${[`${lines[0]},error`, ...rows].join('\r\n')}\r\n`;
}

/** CSV import: upload, map the columns, preview, import with progress, download the rejected rows. */
export function ImportPage() {
  const [params] = useSearchParams();
  const definitions = useAttributeDefinitions().data ?? [];
  const lists = useLists().data ?? [];
  const [fileName, setFileName] = useState('');
  const [file, setFile] = useState('');
  const [columns, setColumns] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [listId, setListId] = useState(params.get('listId') ?? '');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useJob(jobId);
  const keys = definitions.map((d) => d.key);

  const load = async (chosen: File) => {
    const text = await chosen.text();
    const header = headerOf(text);
    setFileName(chosen.name);
    setFile(text);
    setColumns(header);
    setMapping(Object.fromEntries(header.map((c) => [c, guess(c, keys)])));
    setPreview(null);
    setJobId(null);
    setError(null);
  };
  const options = () => ({ mapping, listId: listId || undefined });
  const runPreview = async () => {
    setError(null);
    try {
      setPreview(await contactImports.preview(file, options()));
    } catch (caught) {
      setError(caught);
    }
  };
  const start = async () => {
    setError(null);
    try {
      setJobId((await contactImports.start(file, options())).id);
    } catch (caught) {
      setError(caught);
    }
  };
  const download = () => {
    if (!job.data) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([rejectedCsv(file, job.data)], { type: 'text/csv' }));
    link.download = `${fileName.replace(/\.csv$/i, '') || 'import'}-rejected.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <div className="page" data-testid="import-page">
      <div className="page-head">
        <h1>Import contacts</h1>
        <div className="page-actions">
          <Link to="/contacts">All contacts</Link>
        </div>
      </div>
      <ol className="steps">
        <li className={file ? 'done' : 'current'}>Upload</li>
        <li className={preview ? 'done' : file ? 'current' : ''}>Map columns</li>
        <li className={jobId ? 'done' : preview ? 'current' : ''}>Preview</li>
        <li className={job.data?.status === 'completed' ? 'done' : jobId ? 'current' : ''}>Import</li>
      </ol>
      <ErrorAlert error={error} />
      <section className="card">
        <label htmlFor="import-file" className="field-label">
          CSV file (a header row; rows upsert by user id, else email)
        </label>
        <input
          id="import-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            if (chosen) void load(chosen);
          }}
        />
        <div className="field field-inline">
          <label htmlFor="import-list">Add to list</label>
          <select id="import-list" value={listId} onChange={(e) => setListId(e.target.value)}>
            <option value="">No list</option>
            {lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
      </section>
      {columns.length > 0 && (
        <section className="card" data-testid="import-mapping">
          <h2 className="section-title">Map columns</h2>
          <table className="table">
            <thead>
              <tr>
                <th>Column in the file</th>
                <th>Goes to</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((column) => (
                <tr key={column}>
                  <td>{column}</td>
                  <td>
                    <select
                      aria-label={`Map ${column}`}
                      value={mapping[column] ?? ''}
                      onChange={(e) => {
                        setMapping({ ...mapping, [column]: e.target.value });
                        setPreview(null);
                      }}
                    >
                      <option value="">Skip this column</option>
                      {BUILT_IN.map(([target, label]) => (
                        <option key={target} value={target}>
                          {label}
                        </option>
                      ))}
                      {definitions.map((d) => (
                        <option key={d.id} value={`attributes.${d.key}`}>
                          {d.label} ({d.type})
                        </option>
                      ))}
                      {!keys.includes(column) && (
                        <option value={`attributes.${column}`}>Attribute “{column}”</option>
                      )}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="primary" onClick={runPreview}>
            Preview
          </button>
        </section>
      )}
      {preview && (
        <section className="card" data-testid="import-preview">
          <h2 className="section-title">Preview</h2>
          <p data-testid="import-summary">
            {preview.total} rows: {preview.valid} will be imported, {preview.rejected} rejected.
          </p>
          <table className="table">
            <thead>
              <tr>
                <th>Line</th>
                <th>User id</th>
                <th>Email</th>
                <th>Attributes</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={r.line}>
                  <td>{r.line}</td>
                  <td>{String(r.contact.userId ?? '')}</td>
                  <td>{String(r.contact.email ?? '')}</td>
                  <td className="mono">{JSON.stringify(r.contact.attributes ?? {})}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.errors.length > 0 && (
            <ul className="import-errors" data-testid="import-errors">
              {preview.errors.map((e) => (
                <li key={`${e.line}-${e.field}`}>
                  Line {e.line}
                  {e.field ? ` (${e.field})` : ''}: {e.message}
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="primary" onClick={start} disabled={!!jobId || preview.valid === 0}>
            Import {preview.valid} contacts
          </button>
        </section>
      )}
      {job.data && (
        <section className="card" data-testid="import-job">
          <h2 className="section-title">Import</h2>
          <JobProgress job={job.data} />
          {job.data.status === 'completed' && job.data.failed > 0 && (
            <button type="button" onClick={download} data-testid="download-rejected">
              Download {job.data.failed} rejected rows
            </button>
          )}
          {job.data.status === 'completed' && (
            <p>
              <Link to={listId ? `/lists/${listId}` : '/contacts'}>See the contacts</Link>
            </p>
          )}
        </section>
      )}
    </div>
  );
}
