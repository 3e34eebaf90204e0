import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../lib/api';
import { formatDate, percent } from '../lib/format';
import { navigate } from '../lib/router';
import type { Journey, JourneyCounts, JourneyGraph, JourneyTemplate } from '../lib/types';

/** Journeys with status, active version and counts; create from a template, blank or a JSON file. */
export function JourneyList() {
  const [journeys, setJourneys] = useState<Journey[] | null>(null);
  const [counts, setCounts] = useState<Record<string, JourneyCounts>>({});
  const [templates, setTemplates] = useState<JourneyTemplate[]>([]);
  const [error, setError] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const [list, shipped] = await Promise.all([
        api.get<{ data: Journey[] }>('/journeys'),
        api.get<{ data: JourneyTemplate[] }>('/journey-templates'),
      ]);
      setJourneys(list.data);
      setTemplates(shipped.data);
      const published = list.data.filter((j) => j.activeVersion !== null);
      const answers = await Promise.all(
        published.map((j) => api.get<JourneyCounts>(`/journeys/${j.id}/counts`).catch(() => null)),
      );
      setCounts(Object.fromEntries(published.flatMap((j, i) => (answers[i] ? [[j.id, answers[i]]] : []))));
    } catch (caught) {
      setError((caught as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (body: () => Promise<Journey>) => {
    try {
      const journey = await body();
      navigate(`/journeys/${journey.id}`);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  const importFile = async (selected: File) => {
    try {
      const graph = JSON.parse(await selected.text()) as JourneyGraph;
      await create(() =>
        api.post<Journey>('/journeys', {
          ...graph,
          name: graph.name || selected.name.replace(/\.json$/, ''),
        }),
      );
    } catch (caught) {
      setError(`Could not import ${selected.name}: ${(caught as Error).message}`);
    }
  };

  const exportJourney = (journey: Journey) => {
    const blob = new Blob([JSON.stringify(journey.draft, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${journey.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  const remove = async (journey: Journey) => {
    if (!window.confirm(`Delete the draft journey “${journey.name}”?`)) return;
    try {
      await api.delete(`/journeys/${journey.id}`);
      await load();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Journeys</h1>
        <div className="page-actions">
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
            onClick={() =>
              create(() => api.post<Journey>('/journeys', { name: 'Untitled journey', nodes: [], edges: [] }))
            }
          >
            New blank journey
          </button>
        </div>
      </div>
      {error && <div className="alert error">{error}</div>}
      <section>
        <h2 className="section-title">Start from a template</h2>
        <div className="template-grid">
          {templates.map((t) => (
            <button
              type="button"
              key={t.id}
              className="template-card"
              data-template={t.id}
              onClick={() => create(() => api.post<Journey>('/journeys/from-template', { template: t.id }))}
            >
              <b>{t.name}</b>
              <span>{t.description}</span>
              <span className="muted">{t.graph.nodes.length} nodes</span>
            </button>
          ))}
        </div>
      </section>
      <section>
        <h2 className="section-title">Your journeys</h2>
        {journeys === null ? (
          <p className="muted">Loading…</p>
        ) : journeys.length === 0 ? (
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
              {journeys.map((j) => (
                <tr key={j.id}>
                  <td>
                    <a href={`#/journeys/${j.id}`}>{j.name}</a>
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
                    <button type="button" className="link-button" onClick={() => exportJourney(j)}>
                      Export
                    </button>
                    {j.activeVersion === null && (
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
