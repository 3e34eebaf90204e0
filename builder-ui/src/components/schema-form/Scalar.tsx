import { useContext } from 'react';
import { humanize, isLongText, parseLoose, showLoose, typeOf } from '../../lib/schema';
import { type FieldProps, PickerContext, ReadOnlyContext } from './context';

export function Scalar(props: FieldProps & { id: string }) {
  const { schema, value, onChange, path, id } = props;
  const readOnly = useContext(ReadOnlyContext);
  const pickers = useContext(PickerContext);
  const type = typeOf(schema);
  const listId = `${id}-list`;

  if (schema.enum) {
    return (
      <select
        id={id}
        name={path}
        disabled={readOnly}
        value={value === undefined ? '' : String(value)}
        onChange={(e) =>
          onChange(e.target.value === '' ? undefined : schema.enum!.find((v) => String(v) === e.target.value))
        }
      >
        {(!props.required || value === undefined) && <option value="">—</option>}
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {humanize(String(option))}
          </option>
        ))}
      </select>
    );
  }
  if (type === 'boolean') {
    const checked = value === undefined ? schema.default === true : value === true;
    return (
      <input
        id={id}
        name={path}
        type="checkbox"
        disabled={readOnly}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
    );
  }
  if (type === 'number' || type === 'integer') {
    return (
      <input
        id={id}
        name={path}
        type="number"
        readOnly={readOnly}
        step={type === 'integer' ? 1 : 'any'}
        min={schema.minimum !== undefined && schema.minimum > -1e15 ? schema.minimum : undefined}
        max={schema.maximum !== undefined && schema.maximum < 1e15 ? schema.maximum : undefined}
        placeholder={schema.default !== undefined ? String(schema.default) : undefined}
        value={typeof value === 'number' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  }
  if (type === 'string') {
    const suggestions = pickers[props.name];
    const placeholder =
      schema.format === 'date-time'
        ? '2026-01-31T09:00:00Z'
        : schema.pattern?.includes(':[0-5]')
          ? 'HH:MM'
          : undefined;
    if (isLongText(props.name, schema)) {
      return (
        <textarea
          id={id}
          name={path}
          readOnly={readOnly}
          rows={3}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />
      );
    }
    return (
      <>
        <input
          id={id}
          name={path}
          type={schema.format === 'uri' ? 'url' : 'text'}
          readOnly={readOnly}
          list={suggestions?.length ? listId : undefined}
          placeholder={placeholder}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />
        {suggestions?.length ? (
          <datalist id={listId}>
            {suggestions.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </datalist>
        ) : null}
      </>
    );
  }
  return (
    <input
      id={id}
      name={path}
      type="text"
      readOnly={readOnly}
      placeholder="value (JSON or text)"
      value={showLoose(value)}
      onChange={(e) => onChange(parseLoose(e.target.value))}
    />
  );
}
