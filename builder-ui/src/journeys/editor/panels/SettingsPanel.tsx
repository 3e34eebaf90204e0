import { type Pickers, SchemaForm } from '../../../components/schema-form/SchemaForm';
import type { JourneySettings, JsonSchema, Problem } from '../../../lib/types';

const duration: JsonSchema = {
  type: 'object',
  properties: {
    amount: { type: 'number', exclusiveMinimum: 0 },
    unit: { type: 'string', enum: ['seconds', 'minutes', 'hours', 'days', 'weeks'] },
  },
  required: ['amount', 'unit'],
};
const eventMatch: JsonSchema = {
  type: 'object',
  properties: { event: { type: 'string', description: 'Event name' } },
  required: ['event'],
};

/** The journey settings as the engine's model defines them (not served by the API). */
const settingsSchema: JsonSchema = {
  type: 'object',
  properties: {
    reEntry: {
      type: 'object',
      title: 'Re-entry',
      properties: {
        mode: {
          type: 'string',
          enum: ['never', 'after-exit', 'always'],
          description: 'May a contact enter again?',
        },
        minInterval: { ...duration, title: 'Minimum interval', description: 'Required for “always”' },
      },
      required: ['mode'],
    },
    goal: { ...eventMatch, title: 'Goal', description: 'Reaching it records a conversion and ends the run' },
    exitCriteria: {
      type: 'array',
      title: 'Exit criteria',
      items: eventMatch,
      description: 'Any of these events ends the run',
    },
    quietHours: {
      type: 'object',
      title: 'Quiet hours',
      properties: {
        start: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
        end: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
        action: { type: 'string', enum: ['defer', 'skip'] },
      },
      required: ['start', 'end'],
    },
    timezone: {
      type: 'string',
      title: 'Fallback time zone',
      description: 'IANA name, for contacts without one',
    },
    holdoutShare: {
      type: 'number',
      minimum: 0,
      maximum: 0.5,
      title: 'Holdout share',
      description:
        'Share (0–0.5) of contacts kept out as a control group: they start no run, and the report shows the lift',
    },
  },
};

export function SettingsPanel(props: {
  name: string;
  description?: string;
  settings: JourneySettings;
  problems: Problem[];
  pickers: Pickers;
  readOnly: boolean;
  onChange: (patch: { name?: string; description?: string; settings?: JourneySettings }) => void;
}) {
  const errors = new Map(
    props.problems.filter((p) => p.field?.startsWith('settings.')).map((p) => [p.field!.slice(9), p.message]),
  );
  return (
    <div className="panel settings-panel">
      <div className="panel-head">
        <div>
          <div className="panel-kicker">Journey</div>
          <h2>Settings</h2>
        </div>
      </div>
      <div className="field">
        <label htmlFor="journey-name">Name</label>
        <input
          id="journey-name"
          name="journeyName"
          readOnly={props.readOnly}
          value={props.name}
          onChange={(e) => props.onChange({ name: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="journey-description">Description</label>
        <textarea
          id="journey-description"
          rows={2}
          readOnly={props.readOnly}
          value={props.description ?? ''}
          onChange={(e) => props.onChange({ description: e.target.value || undefined })}
        />
      </div>
      <SchemaForm
        schema={settingsSchema}
        value={props.settings}
        pickers={props.pickers}
        readOnly={props.readOnly}
        errors={errors}
        onChange={(settings) => props.onChange({ settings: (settings ?? {}) as JourneySettings })}
      />
      <p className="help">
        Select a node to edit it. Shift-drag selects several; Ctrl+C / Ctrl+V copy them; Ctrl+Z undoes.
      </p>
    </div>
  );
}
