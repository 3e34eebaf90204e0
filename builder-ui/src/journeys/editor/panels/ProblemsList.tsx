import { useState } from 'react';
import type { ValidationResult } from '../../../lib/types';

/** Every problem of the draft; clicking one selects its node. */
export function ProblemsList(props: {
  result: ValidationResult | null;
  pending: boolean;
  onFocus: (nodeId: string) => void;
}) {
  const [open, setOpen] = useState(true);
  const errors = props.result?.errors ?? [];
  const warnings = props.result?.warnings ?? [];
  const all = [...errors, ...warnings];
  const state = props.pending
    ? 'Checking…'
    : errors.length
      ? `${errors.length} error${errors.length === 1 ? '' : 's'}`
      : 'No errors';
  return (
    <div className={`problems ${errors.length ? 'has-errors' : 'ok'}`} data-testid="problems">
      <button type="button" className="problems-toggle" onClick={() => setOpen(!open)}>
        <span className="problems-state" data-errors={errors.length}>
          {state}
        </span>
        {warnings.length > 0 && (
          <span className="problems-warnings">
            {warnings.length} warning{warnings.length === 1 ? '' : 's'}
          </span>
        )}
        <span className="chevron">{open ? '▾' : '▴'}</span>
      </button>
      {open && all.length > 0 && (
        <ul className="problem-list">
          {all.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id
            <li key={i} className={p.severity} data-code={p.code}>
              {p.nodeId ? (
                <button type="button" className="link-button" onClick={() => props.onFocus(p.nodeId!)}>
                  {p.message}
                </button>
              ) : (
                p.message
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
