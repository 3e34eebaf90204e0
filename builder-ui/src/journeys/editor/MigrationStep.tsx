import { useState } from 'react';
import {
  type MigrationRequest,
  startMigration,
  useMigration,
  useMigrationPreview,
  useRunningByVersion,
} from '../../api/journeys';
import { useCan } from '../../api/session';
import './lifecycle.css';

const KEEP = '__keep__';

/**
 * After publishing version N: where the contacts still running earlier versions would continue
 * in it (per old node), what that means for them, and the choice to move them or let them
 * finish. Nothing moves before "Move runs"; then progress and per-version counts update live.
 */
export function MigrationStep(props: {
  journeyId: string;
  version: number;
  nodeIds: string[];
  onClose: () => void;
}) {
  const mayMove = useCan()('journeys:write');
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [pastTimers, setPastTimers] = useState<'fire' | 'restart'>('fire');
  const [migrationId, setMigrationId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const request: MigrationRequest = { toVersion: props.version, mapping, pastTimers };
  const preview = useMigrationPreview(props.journeyId, request, migrationId === null);
  const migration = useMigration(props.journeyId, migrationId);
  const versions = [
    ...new Set([...(preview.data?.groups.map((g) => g.fromVersion) ?? []), props.version]),
  ].sort();
  const running = useRunningByVersion(props.journeyId, migrationId ? versions : []);

  const move = async () => {
    setBusy(true);
    setError(null);
    try {
      const started = await startMigration(props.journeyId, request);
      setMigrationId(started.migration.id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const data = preview.data;
  const progress = migration.data;
  return (
    <div data-testid="migration-step">
      <h3>Contacts still on earlier versions</h3>
      {preview.isLoading && <p className="muted">Computing where they would go…</p>}
      {preview.isError && <p className="error-text">{(preview.error as Error).message}</p>}
      {data && !migrationId && (
        <>
          <p>
            {data.total} running contact{data.total === 1 ? '' : 's'} entered an earlier version. Move them to
            version {data.toVersion} ({data.moving} would move, {data.staying} would finish on their version),
            or let them all finish where they are.
          </p>
          <table className="table migration-table" data-testid="migration-preview">
            <thead>
              <tr>
                <th>From</th>
                <th>Runs</th>
                <th>To (version {data.toVersion})</th>
                <th>What changes for them</th>
              </tr>
            </thead>
            <tbody>
              {data.groups.map((group) => {
                const key = group.fromNode ?? '';
                return (
                  <tr key={`${group.fromVersion}:${key}`} data-from={key}>
                    <td>
                      v{group.fromVersion} · {group.fromNode ?? 'between nodes'}
                      {group.fromType && <span className="muted"> ({group.fromType})</span>}
                    </td>
                    <td data-testid="group-runs">{group.runs}</td>
                    <td>
                      {group.fromNode ? (
                        <select
                          aria-label={`Where runs at ${group.fromNode} go`}
                          value={group.toNode ?? KEEP}
                          onChange={(e) =>
                            setMapping((m) => ({
                              ...m,
                              [key]: e.target.value === KEEP ? null : e.target.value,
                            }))
                          }
                        >
                          <option value={KEEP}>Finish on version {group.fromVersion}</option>
                          {props.nodeIds.map((id) => (
                            <option key={id} value={id}>
                              {id}
                            </option>
                          ))}
                        </select>
                      ) : (
                        'where they stop next'
                      )}
                      {group.how === 'unmapped' && (
                        <div className="warning-text">removed in the new version</div>
                      )}
                    </td>
                    <td className="migration-effects">
                      {group.skipsSends.map((s) => (
                        <div key={`s-${s.nodeId}`} data-testid="skips-send">
                          {s.runs} would never get send “{s.nodeId}”
                        </div>
                      ))}
                      {group.repeatsSends.map((s) => (
                        <div key={`r-${s.nodeId}`} data-testid="repeats-send">
                          {s.runs} would get send “{s.nodeId}” again
                        </div>
                      ))}
                      {group.pastTimers > 0 && (
                        <div data-testid="past-timers">{group.pastTimers} whose wait is already over</div>
                      )}
                      {group.inAction > 0 && <div>{group.inAction} finish their current action first</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <fieldset className="field migration-timers">
            <legend>Waits whose time is already over in the new version</legend>
            <label>
              <input
                type="radio"
                name="past-timers"
                checked={pastTimers === 'fire'}
                onChange={() => setPastTimers('fire')}
              />{' '}
              Continue at once
            </label>
            <label>
              <input
                type="radio"
                name="past-timers"
                checked={pastTimers === 'restart'}
                onChange={() => setPastTimers('restart')}
              />{' '}
              Restart the wait from now
            </label>
          </fieldset>
        </>
      )}
      {progress && (
        <div data-testid="migration-progress">
          <p>
            <b data-testid="migration-status">{progress.status === 'done' ? 'Done' : 'Moving…'}</b>{' '}
            <span data-testid="migration-moved">{progress.moved}</span> of {progress.total} moved
            {progress.kept ? `, ${progress.kept} finishing on their version` : ''}
            {progress.failed ? `, ${progress.failed} could not be reached` : ''}.
          </p>
          <ul className="diff-list">
            {versions.map((v, i) => (
              <li key={v} data-testid={`running-v${v}`}>
                Running on version {v}: <b>{running[i]?.data ?? '…'}</b>
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && <p className="error-text">{error}</p>}
      <div className="modal-actions">
        <button type="button" onClick={props.onClose} data-testid="migration-close">
          {migrationId ? 'Close' : 'Let them finish on their version'}
        </button>
        {!migrationId && mayMove && (
          <button
            type="button"
            className="primary"
            data-testid="apply-migration"
            disabled={busy || !data || data.moving === 0}
            onClick={move}
          >
            {busy ? 'Starting…' : `Move ${data?.moving ?? 0} runs`}
          </button>
        )}
      </div>
    </div>
  );
}
