import { useState } from 'react';
import { downloadPostCsv, type FunnelStep, useFunnel } from '../api/analytics';
import { useCan } from '../api/session';
import { FunnelChart, type FunnelRow, FunnelTable } from './FunnelView';
import { SegmentFilter } from './SegmentFilter';

const day = (date: Date) => date.toISOString().slice(0, 10);

/** An ordered event funnel with a conversion window and an optional breakdown. */
export function FunnelsPage() {
  const can = useCan();
  const funnel = useFunnel();
  const [steps, setSteps] = useState(['Product Viewed', 'Product Added', 'Order Completed']);
  const [windowHours, setWindowHours] = useState(168);
  const [from, setFrom] = useState(day(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(day(new Date()));
  const [breakdown, setBreakdown] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const body = {
    steps: steps.filter(Boolean).map((event) => ({ event })),
    windowHours,
    from: `${from}T00:00:00Z`,
    to: `${to}T23:59:59Z`,
    ...(breakdown ? { breakdown } : {}),
    ...(segmentId ? { segmentId } : {}),
  };
  return (
    <section>
      <div className="form-row">
        {steps.map((step, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a step is its position in the funnel
          <label key={i}>
            Step {i + 1}
            <input
              value={step}
              onChange={(e) => setSteps(steps.map((s, j) => (j === i ? e.target.value : s)))}
            />
          </label>
        ))}
        <button type="button" onClick={() => setSteps([...steps, ''])} disabled={steps.length >= 10}>
          Add step
        </button>
        {steps.length > 2 && (
          <button type="button" onClick={() => setSteps(steps.slice(0, -1))}>
            Remove last
          </button>
        )}
      </div>
      <div className="form-row">
        <label>
          Window (hours)
          <input
            type="number"
            min={1}
            value={windowHours}
            onChange={(e) => setWindowHours(Number(e.target.value))}
          />
        </label>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          Break down by (property of step 1)
          <input value={breakdown} onChange={(e) => setBreakdown(e.target.value)} />
        </label>
        <SegmentFilter value={segmentId} onChange={setSegmentId} />
        <button type="button" onClick={() => funnel.mutate(body)}>
          Run funnel
        </button>
        {can('exports') && (
          <button
            type="button"
            className="link-button"
            onClick={() => downloadPostCsv('/analytics/funnels.csv', body, 'funnel')}
          >
            Download CSV
          </button>
        )}
      </div>
      {funnel.error && <div className="alert error">{funnel.error.message}</div>}
      {funnel.data && (
        <>
          <FunnelChart rows={asRows(funnel.data.steps)} countName="Contacts" />
          <StepTable title="All contacts" steps={funnel.data.steps} />
          {funnel.data.breakdown.map((b) => (
            <StepTable key={b.value} title={`${breakdown} = ${b.value}`} steps={b.steps} />
          ))}
        </>
      )}
    </section>
  );
}

/** Event funnel steps as the shared view's rows; a step is its position, as the same event may repeat. */
function asRows(steps: FunnelStep[]): FunnelRow[] {
  return steps.map((s, i) => ({ ...s, key: String(i), name: s.event, count: s.contacts }));
}

function StepTable(props: { title: string; steps: FunnelStep[] }) {
  return (
    <section>
      <h2 className="section-title">{props.title}</h2>
      <FunnelTable
        rows={asRows(props.steps)}
        labels={{ step: 'Step', count: 'Contacts', overall: 'Overall', medianUnit: 'hours' }}
      />
    </section>
  );
}
