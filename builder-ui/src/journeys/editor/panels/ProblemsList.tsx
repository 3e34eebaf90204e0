import { useState } from 'react';
import { Link } from 'react-router';
import type { Problem, ValidationResult } from '../../../lib/types';

/** Where the builder shows what a problem names: the template in the studio, the other journey. */
function linkOf(link: NonNullable<Problem['link']>): { to: string; label: string } | null {
  if (link.kind === 'template') {
    return link.id
      ? { to: `/templates/${link.id}`, label: `Open template “${link.name}”` }
      : { to: `/templates?search=${encodeURIComponent(link.name)}`, label: `Templates` };
  }
  if (link.kind === 'journey' && link.id) return { to: `/journeys/${link.id}`, label: `Open “${link.name}”` };
  return null;
}

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
              {p.link && linkOf(p.link) && (
                <>
                  {' '}
                  <Link className="problem-link" to={linkOf(p.link)!.to} data-testid="problem-link">
                    {linkOf(p.link)!.label}
                  </Link>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
