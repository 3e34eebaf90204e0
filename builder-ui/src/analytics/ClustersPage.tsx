import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  type ClusterProfile,
  useClusterSpread,
  useCreateAnalyticsSegment,
  useModelResult,
} from '../api/analytics';
import { useCan } from '../api/session';
import { SegmentFilter } from './SegmentFilter';
import { ComputedAt, CsvLink, formatNumber, JobButton } from './shared';

interface ClusterResult {
  k?: number;
  features?: string[];
  silhouette?: number | null;
  silhouetteByK?: { k: number; silhouette: number }[];
  profiles?: ClusterProfile[];
}

/** K-means on standardised RFM (and chosen attributes): profiles and a segment per cluster. */
export function ClustersPage() {
  const can = useCan();
  const result = useModelResult<ClusterResult>('clusters');
  const createSegment = useCreateAnalyticsSegment();
  const [k, setK] = useState('');
  const [attributes, setAttributes] = useState('');
  const [made, setMade] = useState<string | null>(null);
  const [segmentId, setSegmentId] = useState('');
  const spread = useClusterSpread(segmentId).data;
  const inSegment = (cluster: number) => spread?.find((s) => s.cluster === cluster);
  const data = result.data?.result;
  const chart = (data?.profiles ?? []).map((p) => ({
    cluster: `Cluster ${p.cluster}`,
    size: p.size,
    ...(segmentId ? { members: inSegment(p.cluster)?.members ?? 0 } : {}),
  }));
  const options = {
    ...(k ? { k: Number(k) } : {}),
    attributes: attributes
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
  };
  return (
    <section>
      <div className="form-row">
        <label>
          k (empty: suggest by silhouette)
          <input type="number" min={2} max={20} value={k} onChange={(e) => setK(e.target.value)} />
        </label>
        <label>
          Extra numeric attributes (comma-separated)
          <input value={attributes} onChange={(e) => setAttributes(e.target.value)} />
        </label>
        {can('analytics:run') && <JobButton model="clusters" options={options} label="Run K-means" />}
        {can('exports') && <CsvLink href="/analytics/clusters.csv" />}
        <SegmentFilter value={segmentId} onChange={setSegmentId} />
      </div>
      <ComputedAt at={result.data?.computedAt} />
      {data?.k ? (
        <p>
          k = {data.k}, mean silhouette {data.silhouette?.toFixed(3)}
          {data.silhouetteByK &&
            data.silhouetteByK.length > 1 &&
            ` (tried ${data.silhouetteByK.map((s) => `${s.k}: ${s.silhouette.toFixed(2)}`).join(', ')})`}
        </p>
      ) : null}
      {made && <p role="status">{made}</p>}
      {chart.length > 0 && (
        <div className="chart">
          <ResponsiveContainer>
            <BarChart data={chart}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="cluster" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="size" name="Contacts" fill="#4dabf7" />
              {segmentId && <Bar dataKey="members" name="Of the segment" fill="#f59f00" />}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="table" aria-label="Cluster profiles">
        <thead>
          <tr>
            <th>Cluster</th>
            <th>Size</th>
            <th>Revenue</th>
            {segmentId && <th>Of the segment</th>}
            {segmentId && <th>Segment revenue</th>}
            {(data?.features ?? []).map((f) => (
              <th key={f}>mean {f}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {(data?.profiles ?? []).map((p) => (
            <tr key={p.cluster}>
              <td>{p.cluster}</td>
              <td>{formatNumber(p.size)}</td>
              <td>{formatNumber(p.revenue, 2)}</td>
              {segmentId && <td>{formatNumber(inSegment(p.cluster)?.members ?? 0)}</td>}
              {segmentId && <td>{formatNumber(inSegment(p.cluster)?.revenue ?? 0, 2)}</td>}
              {(data?.features ?? []).map((f) => (
                <td key={f}>{formatNumber(p.means[f], 2)}</td>
              ))}
              <td>
                {can('segments:write') && (
                  <button
                    type="button"
                    onClick={async () => {
                      const s = await createSegment.mutateAsync({
                        name: `Cluster ${p.cluster} ${new Date().toISOString().slice(0, 16)}`,
                        rules: [{ kind: 'analytics', field: 'cluster', op: 'eq', value: p.cluster }],
                      });
                      setMade(`Segment “${s.name}” created with ${s.members} contacts.`);
                    }}
                  >
                    Make a segment
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
