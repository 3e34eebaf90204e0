import { formatOffset } from '../../../lib/format';
import type { SimulationResult } from '../../../lib/types';

/** A simulation's outcome: each step (click to focus its node), the events and the messages. */
export function SimulationResultView(props: { result: SimulationResult; onFocus: (nodeId: string) => void }) {
  const { result } = props;
  return (
    <div className="sim-result" data-testid="simulation-result">
      <div className={`sim-status status-${result.status}`}>
        <b>{result.status}</b> — {result.reason}
      </div>
      <ol className="sim-steps">
        {result.steps.map((step, index) => (
          <li key={`${step.nodeId}-${step.visit}`}>
            <button type="button" className="link-button" onClick={() => props.onFocus(step.nodeId)}>
              <span className="sim-order">{index + 1}</span>
              <span className="sim-time">{formatOffset(step.atMs)}</span>
              <span className="sim-node">{step.label || step.nodeId}</span>
              {step.port && <span className="sim-port">→ {step.port}</span>}
            </button>
            {step.outcome && <div className="sim-outcome mono">{JSON.stringify(step.outcome)}</div>}
          </li>
        ))}
      </ol>
      {result.events.length > 0 && (
        <>
          <h3 className="panel-section">Events</h3>
          <ul className="plain-list">
            {result.events.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: positional
              <li key={i}>
                {formatOffset(e.atMs)} “{e.event}” — {e.outcome}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3 className="panel-section">Messages ({result.messages.length})</h3>
      <ul className="plain-list">
        {result.messages.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional
          <li key={i}>
            {formatOffset(m.atMs)} <b>{m.channel}</b> to {m.recipient ?? '—'}: {m.subject ?? m.body}{' '}
            <span className="badge">{m.status}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
