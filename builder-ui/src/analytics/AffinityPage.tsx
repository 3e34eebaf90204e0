import { useState } from 'react';
import { useAffinityRules, useModelResult } from '../api/analytics';
import { useCan } from '../api/session';
import { ComputedAt, CsvLink, formatNumber, formatPercent, JobButton } from './shared';

/** Association rules from order baskets, with the analyst's thresholds. */
export function AffinityPage() {
  const can = useCan();
  const rules = useAffinityRules();
  const result = useModelResult<{ orders?: number; rules?: number }>('affinity');
  const [options, setOptions] = useState({ minSupport: 0.01, minConfidence: 0.2, minLift: 1 });
  const field = (key: keyof typeof options, labelText: string, step: string) => (
    <label>
      {labelText}
      <input
        type="number"
        step={step}
        value={options[key]}
        onChange={(e) => setOptions({ ...options, [key]: Number(e.target.value) })}
      />
    </label>
  );
  return (
    <section>
      <div className="form-row">
        {field('minSupport', 'Min support', '0.005')}
        {field('minConfidence', 'Min confidence', '0.05')}
        {field('minLift', 'Min lift', '0.1')}
        {can('analytics:run') && <JobButton model="affinity" options={options} label="Mine rules" />}
        {can('exports') && <CsvLink href="/analytics/affinity/rules.csv" />}
      </div>
      <ComputedAt at={result.data?.computedAt} />
      {result.data?.result.orders !== undefined && (
        <p>
          {formatNumber(result.data.result.rules)} rules from {formatNumber(result.data.result.orders)}{' '}
          orders. Templates read them as <code>recommendations</code> and <code>bought_together</code>.
        </p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>If bought</th>
            <th>Then also</th>
            <th>Support</th>
            <th>Confidence</th>
            <th>Lift</th>
            <th>Orders</th>
          </tr>
        </thead>
        <tbody>
          {(rules.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.antecedent.join(' + ')}</td>
              <td>{r.consequent.join(' + ')}</td>
              <td>{formatPercent(r.support)}</td>
              <td>{formatPercent(r.confidence)}</td>
              <td>{formatNumber(r.lift, 2)}</td>
              <td>{formatNumber(r.orders)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
