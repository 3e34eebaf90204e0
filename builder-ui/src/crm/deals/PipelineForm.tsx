import { useState } from 'react';
import { type Pipeline, type StageFields, usePipelineChanges } from '../../api/deals';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Modal } from '../../components/Modal';
import { fieldErrors, formLevelError } from './field-errors';

const DEFAULT_STAGES: StageFields[] = [
  { name: 'Lead', winProbability: 10, closedWon: false, closedLost: false },
  { name: 'Qualified', winProbability: 30, closedWon: false, closedLost: false },
  { name: 'Proposal', winProbability: 60, closedWon: false, closedLost: false },
  { name: 'Won', winProbability: 100, closedWon: true, closedLost: false },
  { name: 'Lost', winProbability: 0, closedWon: false, closedLost: true },
];

/** Create or edit a pipeline: its name and its stages in board order. */
export function PipelineForm(props: {
  pipeline?: Pipeline;
  onClose: () => void;
  onSaved: (p: Pipeline) => void;
}) {
  const { create, update } = usePipelineChanges();
  const mutation = props.pipeline ? update : create;
  const [name, setName] = useState(props.pipeline?.name ?? '');
  const [stages, setStages] = useState<StageFields[]>(
    props.pipeline?.stages.map(({ id, name, winProbability, closedWon, closedLost }) => ({
      id,
      name,
      winProbability,
      closedWon,
      closedLost,
    })) ?? DEFAULT_STAGES,
  );
  const errors = fieldErrors(mutation.error);
  const change = (i: number, patch: Partial<StageFields>) =>
    setStages((all) => all.map((s, j) => (i === j ? { ...s, ...patch } : s)));
  const move = (i: number, by: number) =>
    setStages((all) => {
      const next = [...all];
      const [stage] = next.splice(i, 1);
      next.splice(i + by, 0, stage);
      return next;
    });

  return (
    <Modal
      title={props.pipeline ? 'Edit pipeline' : 'New pipeline'}
      onClose={props.onClose}
      testId="pipeline-form"
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const input = { name, stages };
          const done = { onSuccess: props.onSaved };
          if (props.pipeline) update.mutate({ id: props.pipeline.id, ...input }, done);
          else create.mutate(input, done);
        }}
      >
        <ErrorAlert error={formLevelError(mutation.error, [...errors.keys()])} />
        <div className={`field${errors.get('name') ? ' field-error' : ''}`}>
          <label htmlFor="pipeline-name">Name</label>
          <input id="pipeline-name" value={name} onChange={(e) => setName(e.target.value)} />
          {errors.get('name') && <div className="field-message">{errors.get('name')}</div>}
        </div>
        <table className="table deal-stage-editor">
          <thead>
            <tr>
              <th>Stage</th>
              <th>Win %</th>
              <th>Closed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {stages.map((stage, i) => {
              const error =
                errors.get(`stages.${i}.name`) ??
                errors.get(`stages.${i}.winProbability`) ??
                errors.get(`stages.${i}.closedLost`) ??
                errors.get(`stages.${i}.id`);
              return (
                <tr key={stage.id ?? `new-${i}`} className={error ? 'field-error' : undefined}>
                  <td>
                    <input
                      aria-label={`Stage ${i + 1} name`}
                      value={stage.name}
                      onChange={(e) => change(i, { name: e.target.value })}
                    />
                    {error && <div className="field-message">{error}</div>}
                  </td>
                  <td>
                    <input
                      aria-label={`Stage ${i + 1} win probability`}
                      type="number"
                      min={0}
                      max={100}
                      className="deal-percent"
                      value={stage.winProbability}
                      disabled={stage.closedWon || stage.closedLost}
                      onChange={(e) => change(i, { winProbability: e.target.valueAsNumber })}
                    />
                  </td>
                  <td>
                    <select
                      aria-label={`Stage ${i + 1} closed`}
                      value={stage.closedWon ? 'won' : stage.closedLost ? 'lost' : ''}
                      onChange={(e) =>
                        change(i, {
                          closedWon: e.target.value === 'won',
                          closedLost: e.target.value === 'lost',
                        })
                      }
                    >
                      <option value="">Open</option>
                      <option value="won">Won</option>
                      <option value="lost">Lost</option>
                    </select>
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="icon-button"
                      disabled={i === 0}
                      onClick={() => move(i, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      disabled={i === stages.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setStages((all) => all.filter((_, j) => j !== i))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {errors.get('stages') && <div className="field-message">{errors.get('stages')}</div>}
        <button
          type="button"
          onClick={() =>
            setStages((all) => [...all, { name: '', winProbability: 0, closedWon: false, closedLost: false }])
          }
        >
          Add stage
        </button>
        <div className="panel-actions">
          <button type="submit" className="primary" disabled={mutation.isPending}>
            Save pipeline
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
