import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  exportJourneysCode,
  pushJourneysCode,
  useActiveCounts,
  useCreateJourney,
  useDeleteJourney,
  useJourneys,
  useJourneyTemplates,
  useRefreshJourneys,
} from '../api/journeys';
import { useCan } from '../api/session';
import { downloadJson } from '../lib/download';
import { formatDate, percent } from '../lib/format';
import type { Journey, JourneyGraph } from '../lib/types';

/** Journeys with status, active version and counts; create from a template, blank or a JSON file. */
export function JourneyListPage() {
  const journeys = useJourneys();
  const templates = useJourneyTemplates();
  const counts = useActiveCounts(journeys.data);
  const createJourney = useCreateJourney();
  const deleteJourney = useDeleteJourney();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string | null>(null);
  const [imported, setImported] = useState<string | null>(null);
  const refreshJourneys = useRefreshJourneys();
  const file = useRef<HTMLInputElement>(null);
  // Roles that only read (analyst, developer) see the journeys without the ways to change them.
  const canWrite = useCan()('journeys:write');
  const error = failure ?? journeys.error?.message ?? templates.error?.message ?? null;

  const create = async (body: Parameters<typeof createJourney.mutateAsync>[0]) => {
    try {
      const journey = await createJourney.mutateAsync(body);
      navigate(`/journeys/${journey.id}`);
    } catch (caught) {
      setFailure((caught as Error).message);
    }
  };

  const importFile = async (selected: File) => {
    try {
      const parsed = JSON.parse(await selected.text()) as JourneyGraph | { journeys: JourneyGraph[] };
      if ('journeys' in parsed && Array.isArray(parsed.journeys)) {
        // Journeys as code: the same bundle `wayline journeys pull` writes, checked and applied by name.
        const report = await pushJourneysCode(parsed);
        setFailure(null);
        setImported(
          `Imported ${selected.name}: ${report.journeys.map((j) => `${j.name} (${j.action})`).join(', ') || 'no journeys'}`,
        );
        await refreshJourneys();
        return;
      }
      const graph = parsed as JourneyGraph;
      await create({ ...graph, name: graph.name || selected.name.replace(/\.json$/, '') });
    } catch (caught) {
      setFailure(`Could not import ${selected.name}: ${(caught as Error).message}`);
    }
  };

  const exportAll = async () => {
    try {
      downloadJson('wayline-journeys', await exportJourneysCode());
    } catch (caught) {
      setFailure((caught as Error).message);
    }
  };

  const remove = async (journey: Journey) => {
    if (!window.confirm(`Delete the draft journey “${journey.name}”?`)) return;
    try {
      await deleteJourney.mutateAsync(journey.id);
    } catch (caught) {
      setFailure((caught as Error).message);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Journeys</h1>
        {canWrite && (
          <div className="page-actions">
            <button type="button" onClick={exportAll} data-testid="export-all">
              Export all
            </button>
            <button type="button" onClick={() => file.current?.click()}>
              Import JSON
            </button>
            <input
              ref={file}
              type="file"
              accept="application/json,.json"
              hidden
              onChange={(e) => e.target.files?.[0] && importFile(e.target.files[0])}
            />
            <button
              type="button"
              className="primary"
              onClick={() => create({ name: 'Untitled journey', nodes: [], edges: [] })}
            >
              New blank journey
            </button>
          </div>
        )}
      </div>
      {error && <div className="alert error">{error}</div>}
      {imported && !error && (
        <div className="alert ok" data-testid="import-result">
          {imported}
        </div>
      )}
      {canWrite && (
        <section>
          <h2 className="section-title">Start from a template</h2>
          <div className="template-grid">
            {(templates.data ?? []).map((t) => (
              <button
                type="button"
                key={t.id}
                className="template-card"
                data-template={t.id}
                onClick={() => create({ template: t.id })}
              >
                <b>{t.name}</b>
                <span>{t.description}</span>
                <span className="muted">{t.graph.nodes.length} nodes</span>
              </button>
            ))}
          </div>
        </section>
      )}
      <section>
        <h2 className="section-title">Your journeys</h2>
        {!journeys.data ? (
          <p className="muted">Loading…</p>
        ) : journeys.data.length === 0 ? (
          <p className="muted">No journeys yet: start from a template above.</p>
        ) : (
          <table className="table" data-testid="journey-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Active version</th>
                <th className="num">Entered</th>
                <th className="num">Converted</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {journeys.data.map((j) => (
                <tr key={j.id}>
                  <td>
                    <Link to={`/journeys/${j.id}`}>{j.name}</Link>
                  </td>
                  <td>
                    <span className={`badge status-${j.status}`}>{j.status}</span>
                  </td>
                  <td>{j.activeVersion ? `v${j.activeVersion}` : '—'}</td>
                  <td className="num">{counts[j.id]?.entered ?? '—'}</td>
                  <td className="num">
                    {counts[j.id]
                      ? `${counts[j.id].converted} (${percent(counts[j.id].conversionRate)})`
                      : '—'}
                  </td>
                  <td>{formatDate(j.updatedAt)}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => downloadJson(j.name, j.draft)}
                    >
                      Export
                    </button>
                    {canWrite && j.activeVersion === null && (
                      <button type="button" className="link-button danger" onClick={() => remove(j)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
