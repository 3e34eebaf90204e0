import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useContactEvents, useContactRuns } from '../../../api/contacts';
import { useJourneyRuns } from '../../../api/journeys';
import type { KeyedStore } from '../../../lib/store';
import { sameJson } from '../../../lib/store';
import type { FlowNode, SimulationMark } from '../context';
import { formatMs } from './TimingView';

const durationMs: Record<string, number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/**
 * One run's path replayed on the canvas: step forward and back through the nodes it visited,
 * with the time spent in each, the port it left by (the branch decision) and what the node
 * recorded (events matched, messages sent); for a run still going, where it waits and until when.
 * `?replay=<run>&contact=<contact>` (the contact profile's "Replay" link) opens it on that run.
 */
export function ReplayView(props: {
  journeyId: string;
  nodes: FlowNode[];
  store: KeyedStore<SimulationMark[]>;
}) {
  const [params] = useSearchParams();
  const linked = params.get('replay');
  const [open, setOpen] = useState(linked !== null);
  const [runId, setRunId] = useState<string | null>(linked);
  const [step, setStep] = useState(0);
  const latest = useJourneyRuns(props.journeyId, open).data ?? [];
  // The contact's own runs of this journey, so a linked run older than the latest page is there too.
  const ofContact = (
    useContactRuns(params.get('contact') ?? '', open && params.has('contact')).data ?? []
  ).filter((r) => r.journeyId === props.journeyId && !latest.some((l) => l.workflowId === r.workflowId));
  const runs = [...latest, ...ofContact];
  const run = runs.find((r) => r.workflowId === runId);
  const path = run?.path ?? [];
  const { store } = props;
  // The contact's latest events, to show those received while the run was at each step.
  const contactEvents = useContactEvents(run?.contactId ?? '', open && !!run?.contactId).data ?? [];

  useEffect(() => {
    const marks = new Map<string, SimulationMark[]>();
    if (run) {
      const start = Date.parse(String(path[0]?.enteredAt ?? run.startedAt));
      path.slice(0, step + 1).forEach((s, i) => {
        marks.set(s.nodeId, [
          ...(marks.get(s.nodeId) ?? []),
          { order: i + 1, atMs: Date.parse(String(s.enteredAt)) - start, port: s.port },
        ]);
      });
    }
    store.replace(marks, sameJson);
  }, [run, path, step, store]);

  const current = path[step];
  const node = current && props.nodes.find((n) => n.id === current.nodeId);
  const stepEvents = current
    ? contactEvents.filter((e) => {
        const at = Date.parse(e.timestamp);
        const left = current.leftAt ? Date.parse(String(current.leftAt)) : Date.now();
        return at >= Date.parse(String(current.enteredAt)) && at <= left;
      })
    : [];
  const until = (() => {
    if (!current || current.leftAt) return null;
    // The run records when its wait ends at the latest; runs that entered it before did not.
    const recorded = (current.outcome as { until?: string } | null)?.until;
    if (recorded) return new Date(recorded);
    if (node?.data.nodeType !== 'wait.duration') return null;
    const d = (node.data.config as { duration?: { amount: number; unit: string } }).duration;
    return d ? new Date(Date.parse(String(current.enteredAt)) + d.amount * (durationMs[d.unit] ?? 0)) : null;
  })();
  return (
    <div data-testid="replay">
      <h3 className="panel-section">
        <button type="button" className="link-button" onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} Replay a contact's path
        </button>
      </h3>
      {open && (
        <>
          <select
            aria-label="Run to replay"
            value={runId ?? ''}
            onChange={(e) => {
              setRunId(e.target.value || null);
              setStep(0);
            }}
          >
            <option value="">Choose a run…</option>
            {runs.map((r) => (
              <option key={r.workflowId} value={r.workflowId}>
                {r.contactId ?? 'deleted contact'} · v{r.version} · {r.status}
              </option>
            ))}
          </select>
          {run && current && (
            <div className="replay-step" data-testid="replay-step">
              <div className="diff-compare">
                <button type="button" disabled={step === 0} onClick={() => setStep(step - 1)}>
                  ◀ Back
                </button>
                <span>
                  Step {step + 1} of {path.length}
                </span>
                <button type="button" disabled={step >= path.length - 1} onClick={() => setStep(step + 1)}>
                  Forward ▶
                </button>
              </div>
              <p>
                <b data-testid="replay-node">{current.nodeId}</b>
                {current.leftAt ? (
                  <>
                    {' '}
                    — {formatMs(Date.parse(String(current.leftAt)) - Date.parse(String(current.enteredAt)))}{' '}
                    here, left by <code data-testid="replay-port">{current.port ?? 'next'}</code>
                  </>
                ) : (
                  <span data-testid="replay-waiting">
                    {' '}
                    — waiting here since {new Date(String(current.enteredAt)).toLocaleString()}
                    {until ? `, until ${until.toLocaleString()}` : ''}
                  </span>
                )}
              </p>
              {stepEvents.length > 0 && (
                <ul className="replay-events" data-testid="replay-events">
                  {stepEvents.map((e) => (
                    <li key={e.id}>
                      received “{e.name ?? e.type}” at {new Date(e.timestamp).toLocaleString()}
                    </li>
                  ))}
                </ul>
              )}
              {current.message && (
                <p data-testid="replay-message">
                  {current.message.channel} message{' '}
                  <b data-testid="replay-message-status">{current.message.status}</b>
                  {current.message.reason ? ` (${current.message.reason})` : ''}
                </p>
              )}
              {current.outcome && (
                <pre className="replay-outcome">{JSON.stringify(current.outcome, null, 2)}</pre>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}
