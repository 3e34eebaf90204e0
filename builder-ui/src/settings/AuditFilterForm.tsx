import { useState } from 'react';
import type { AuditFilters } from '../api/audit-log';

export const emptyFilters: AuditFilters = { actor: '', action: '', objectType: '', from: '', to: '' };

/** Actions and object types the log holds, offered as suggestions (any value may be typed). */
const ACTIONS = [
  'auth.*',
  'auth.sign-in',
  'auth.password-reset',
  'member.*',
  'member.invite',
  'member.join',
  'member.role-change',
  'member.remove',
  'api-key.*',
  'api-key.create',
  'api-key.revoke',
  'journey.*',
  'journey.publish',
  'channel.*',
  'secret.*',
  'hook.*',
  'contact.export',
  'contact.erase',
  'workspace.create',
  'access.denied',
  'audit.export',
];
const OBJECT_TYPES = [
  'user',
  'member',
  'invitation',
  'api-key',
  'journey',
  'workspace',
  'channel',
  'secret',
  'route',
];

/** A local date (yyyy-mm-dd) as the instant its day starts, plus some days. */
function startOfDay(date: string, plusDays = 0): string {
  if (!date) return '';
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year, month - 1, day + plusDays).toISOString();
}

/** The filters as typed; applied (and the log re-read from its first page) on submit. */
export function AuditFilterForm(props: { filters: AuditFilters; onApply: (filters: AuditFilters) => void }) {
  const [actor, setActor] = useState(props.filters.actor);
  const [action, setAction] = useState(props.filters.action);
  const [objectType, setObjectType] = useState(props.filters.objectType);
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');
  return (
    <form
      className="settings-form"
      data-testid="audit-filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply({
          actor: actor.trim(),
          action: action.trim(),
          objectType: objectType.trim(),
          from: startOfDay(fromDay),
          // The "to" day is included: rows before the next day starts.
          to: startOfDay(toDay, 1),
        });
      }}
    >
      <label className="wide">
        Actor
        <input
          name="actor"
          placeholder="Email, user id or key prefix"
          value={actor}
          onChange={(e) => setActor(e.target.value)}
        />
      </label>
      <label>
        Action
        <input
          name="action"
          list="audit-actions"
          placeholder="journey.publish or journey.*"
          value={action}
          onChange={(e) => setAction(e.target.value)}
        />
        <datalist id="audit-actions">
          {ACTIONS.map((value) => (
            <option key={value} value={value} />
          ))}
        </datalist>
      </label>
      <label>
        Object type
        <input
          name="objectType"
          list="audit-object-types"
          value={objectType}
          onChange={(e) => setObjectType(e.target.value)}
        />
        <datalist id="audit-object-types">
          {OBJECT_TYPES.map((value) => (
            <option key={value} value={value} />
          ))}
        </datalist>
      </label>
      <label>
        From
        <input type="date" name="from" value={fromDay} onChange={(e) => setFromDay(e.target.value)} />
      </label>
      <label>
        To
        <input type="date" name="to" value={toDay} onChange={(e) => setToDay(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        Apply
      </button>
      <button
        type="button"
        onClick={() => {
          setActor('');
          setAction('');
          setObjectType('');
          setFromDay('');
          setToDay('');
          props.onApply(emptyFilters);
        }}
      >
        Clear
      </button>
    </form>
  );
}
