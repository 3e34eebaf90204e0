import { useState } from 'react';
import { ApiError } from '../../../api/client';
import { useContactSearch } from '../../../api/contacts';
import { useSimulate } from '../../../api/journeys';
import type { SimulationResult } from '../../../lib/types';
import type { FlowNode } from '../context';
import { SimulationResultView } from './SimulationResultView';

interface ScriptRow {
  event: string;
  at: string;
  properties: string;
}

function initialScript(trigger: FlowNode | undefined, nodes: FlowNode[]): ScriptRow[] {
  if (trigger?.data.nodeType !== 'trigger.event') return [];
  const rows: ScriptRow[] = [{ event: String(trigger.data.config.event ?? ''), at: '0', properties: '' }];
  const waited = nodes.find((n) => n.data.nodeType === 'wait.event');
  if (waited?.data.config.event)
    rows.push({ event: String(waited.data.config.event), at: '+30 min', properties: '' });
  return rows;
}

function initialAttributes(trigger: FlowNode | undefined): string {
  if (trigger?.data.nodeType === 'trigger.date') {
    return JSON.stringify(
      { firstName: 'Sam', [String(trigger.data.config.attribute ?? 'birthday')]: '1990-06-15' },
      null,
      2,
    );
  }
  return JSON.stringify({ firstName: 'Sam' }, null, 2);
}

/**
 * Runs the journey for a sample contact and a script of timed events on the server's
 * time-skipping test server, then lays the path on the canvas.
 */
export function SimulatePanel(props: {
  journeyId: string;
  activeVersion: number | null;
  nodes: FlowNode[];
  beforeRun: () => Promise<void>;
  onResult: (result: SimulationResult | null) => void;
  onFocus: (nodeId: string) => void;
  onClose: () => void;
}) {
  const trigger = props.nodes.find((n) => n.data.nodeType.startsWith('trigger.'));
  const [source, setSource] = useState<'draft' | 'active'>('draft');
  const contacts = useContactSearch('').data;
  const simulate = useSimulate(props.journeyId);
  const [contactId, setContactId] = useState('');
  const [email, setEmail] = useState('sam@example.com');
  const [phone, setPhone] = useState('+14155550100');
  const [timezone, setTimezone] = useState('Europe/Paris');
  const [attributes, setAttributes] = useState(() => initialAttributes(trigger));
  const [script, setScript] = useState<ScriptRow[]>(() => initialScript(trigger, props.nodes));
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<SimulationResult | null>(null);

  const run = async () => {
    setError(null);
    try {
      await props.beforeRun();
      let parsedAttributes: Record<string, unknown> | undefined;
      try {
        parsedAttributes = attributes.trim() ? JSON.parse(attributes) : undefined;
      } catch {
        throw new Error('Attributes must be a JSON object, e.g. {"plan": "pro"}');
      }
      const events = script
        .filter((row) => row.event.trim())
        .map((row, index) => {
          let properties: Record<string, unknown> | undefined;
          try {
            properties = row.properties.trim() ? JSON.parse(row.properties) : undefined;
          } catch {
            throw new Error(`Properties of event ${index + 1} must be a JSON object`);
          }
          return { event: row.event.trim(), at: row.at.trim() || '0', properties };
        });
      const contact = contactId
        ? { contactId }
        : {
            email: email || undefined,
            phone: phone || undefined,
            timezone: timezone || undefined,
            attributes: parsedAttributes,
          };
      const answer = await simulate.mutateAsync({ source, contact, events });
      setResult(answer);
      props.onResult(answer);
    } catch (caught) {
      const message =
        caught instanceof ApiError && caught.problems?.length
          ? `${caught.message}: ${caught.problems.map((p) => p.message).join(' ')}`
          : (caught as Error).message;
      setError(message);
      props.onResult(null);
    }
  };

  const setRow = (index: number, patch: Partial<ScriptRow>) =>
    setScript(script.map((row, i) => (i === index ? { ...row, ...patch } : row)));

  return (
    <div className="panel simulate-panel" data-testid="simulate-panel">
      <div className="panel-head">
        <div>
          <div className="panel-kicker">Test without sending</div>
          <h2>Simulate</h2>
        </div>
        <button type="button" className="icon-button" title="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      <p className="panel-description">
        Runs on a private time-skipping Temporal server with a throwaway database: days of waiting take
        seconds, messages are only recorded, and nothing in the workspace changes.
      </p>
      <div className="field">
        <label htmlFor="sim-source">Run</label>
        <select
          id="sim-source"
          name="source"
          value={source}
          onChange={(e) => setSource(e.target.value as 'draft' | 'active')}
        >
          <option value="draft">The draft being edited</option>
          {props.activeVersion !== null && (
            <option value="active">Active version {props.activeVersion}</option>
          )}
        </select>
      </div>
      <h3 className="panel-section">Sample contact</h3>
      {contacts && contacts.length > 0 && (
        <div className="field">
          <label htmlFor="sim-contact">Copy a contact</label>
          <select
            id="sim-contact"
            name="contactId"
            value={contactId}
            onChange={(e) => setContactId(e.target.value)}
          >
            <option value="">Describe one below</option>
            {contacts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.email ?? c.externalId ?? c.id}
              </option>
            ))}
          </select>
        </div>
      )}
      {!contactId && (
        <>
          <div className="field-row">
            <div className="field">
              <label htmlFor="sim-email">Email</label>
              <input id="sim-email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="sim-phone">Phone</label>
              <input id="sim-phone" name="phone" value={phone} onChange={(e) => setPhone(e.target.value)} />
            </div>
          </div>
          <div className="field">
            <label htmlFor="sim-timezone">Time zone</label>
            <input
              id="sim-timezone"
              name="timezone"
              value={timezone}
              onChange={(e) => setTimezone(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="sim-attributes">Attributes (JSON)</label>
            <textarea
              id="sim-attributes"
              name="attributes"
              rows={3}
              className="mono"
              value={attributes}
              onChange={(e) => setAttributes(e.target.value)}
            />
          </div>
        </>
      )}
      <h3 className="panel-section">Events</h3>
      <div className="help">Times are relative to the start: “0”, “+30 min”, “2 h”, “3 days”.</div>
      {script.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: script rows are positional
        <div className="script-row" key={index}>
          <input
            aria-label="Event"
            name={`events.${index}.event`}
            placeholder="Event name"
            value={row.event}
            onChange={(e) => setRow(index, { event: e.target.value })}
          />
          <input
            aria-label="At"
            name={`events.${index}.at`}
            className="script-at"
            value={row.at}
            onChange={(e) => setRow(index, { at: e.target.value })}
          />
          <input
            aria-label="Properties"
            name={`events.${index}.properties`}
            className="mono"
            placeholder='{"total": 42}'
            value={row.properties}
            onChange={(e) => setRow(index, { properties: e.target.value })}
          />
          <button
            type="button"
            className="icon-button"
            title="Remove"
            onClick={() => setScript(script.filter((_, i) => i !== index))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => setScript([...script, { event: '', at: '+1 h', properties: '' }])}
      >
        + Add event
      </button>
      <div className="panel-actions">
        <button type="button" className="primary" disabled={simulate.isPending} onClick={run}>
          {simulate.isPending ? 'Simulating…' : 'Run simulation'}
        </button>
        {result && (
          <button
            type="button"
            onClick={() => {
              setResult(null);
              props.onResult(null);
            }}
          >
            Clear
          </button>
        )}
      </div>
      {error && <div className="alert error">{error}</div>}
      {result && <SimulationResultView result={result} onFocus={props.onFocus} />}
    </div>
  );
}
