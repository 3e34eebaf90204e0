import { useState } from 'react';
import { useClvFormula, useClvScores, useModelResult } from '../api/analytics';
import { useCan } from '../api/session';
import { SegmentFilter } from './SegmentFilter';
import { ComputedAt, CsvLink, formatNumber, formatPercent, JobButton } from './shared';

interface ClvFit {
  customers?: number;
  bgnbd?: { r: number; alpha: number; a: number; b: number };
  gammaGamma?: { p: number; q: number; gamma: number } | null;
  totalClv?: number;
}

/** The CLTV formula calculator and the predictive model (BG/NBD + Gamma-Gamma) per contact. */
export function ClvPage() {
  const can = useCan();
  const fit = useModelResult<ClvFit>('clv');
  const [segmentId, setSegmentId] = useState('');
  const scores = useClvScores(segmentId);
  const formula = useClvFormula();
  const [inputs, setInputs] = useState({ margin: 1000, rate: 0.1, periods: 5, convention: 'formula' });
  const [horizonDays, setHorizonDays] = useState(365);
  const result = fit.data?.result;
  return (
    <section>
      <div className="card">
        <h2 className="section-title">CLTV = Σ M / (1 + r)^t</h2>
        <div className="form-row">
          <label>
            Margin per period
            <input
              type="number"
              value={inputs.margin}
              onChange={(e) => setInputs({ ...inputs, margin: Number(e.target.value) })}
            />
          </label>
          <label>
            Discount rate
            <input
              type="number"
              step="0.01"
              value={inputs.rate}
              onChange={(e) => setInputs({ ...inputs, rate: Number(e.target.value) })}
            />
          </label>
          <label>
            Periods (T)
            <input
              type="number"
              min={1}
              value={inputs.periods}
              onChange={(e) => setInputs({ ...inputs, periods: Number(e.target.value) })}
            />
          </label>
          <label>
            Convention
            <select
              value={inputs.convention}
              onChange={(e) => setInputs({ ...inputs, convention: e.target.value })}
            >
              <option value="formula">t = 1..T (formula as written)</option>
              <option value="first-undiscounted">t = 0..T−1 (first payment undiscounted)</option>
            </select>
          </label>
          <button type="button" onClick={() => formula.mutate(inputs)}>
            Compute
          </button>
        </div>
        {formula.data && <p role="status">CLTV = {formatNumber(formula.data.clv, 2)}</p>}
        {formula.error && <div className="alert error">{formula.error.message}</div>}
      </div>
      <div className="form-row">
        <label>
          Horizon (days)
          <input
            type="number"
            min={1}
            value={horizonDays}
            onChange={(e) => setHorizonDays(Number(e.target.value))}
          />
        </label>
        {can('analytics:run') && (
          <JobButton model="clv" options={{ horizonDays }} label="Fit BG/NBD + Gamma-Gamma" />
        )}
        <SegmentFilter value={segmentId} onChange={setSegmentId} />
        {can('exports') && (
          <CsvLink href={`/analytics/clv/scores.csv${segmentId ? `?segmentId=${segmentId}` : ''}`} />
        )}
      </div>
      <ComputedAt at={fit.data?.computedAt} />
      {result?.bgnbd && (
        <p>
          {formatNumber(result.customers)} buyers · BG/NBD r = {result.bgnbd.r.toFixed(3)}, α ={' '}
          {result.bgnbd.alpha.toFixed(3)}, a = {result.bgnbd.a.toFixed(3)}, b = {result.bgnbd.b.toFixed(3)}
          {result.gammaGamma &&
            ` · Gamma-Gamma p = ${result.gammaGamma.p.toFixed(2)}, q = ${result.gammaGamma.q.toFixed(2)}, γ = ${result.gammaGamma.gamma.toFixed(2)}`}{' '}
          · total CLV {formatNumber(result.totalClv, 2)}
        </p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Contact</th>
            <th>Repeat purchases</th>
            <th>Average spend</th>
            <th>Expected purchases</th>
            <th>P(alive)</th>
            <th>Expected spend</th>
            <th>CLV</th>
          </tr>
        </thead>
        <tbody>
          {(scores.data ?? []).slice(0, 200).map((s) => (
            <tr key={s.contactId}>
              <td>{s.email ?? s.contactId}</td>
              <td>{s.frequency}</td>
              <td>{formatNumber(s.averageSpend, 2)}</td>
              <td>{formatNumber(s.expectedPurchases, 2)}</td>
              <td>{formatPercent(s.probabilityAlive)}</td>
              <td>{formatNumber(s.expectedSpend, 2)}</td>
              <td>{formatNumber(s.clv, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
