import { useContext } from 'react';
import { defaultValue, humanize, parseLoose, showLoose, typeOf, variantsOf } from '../../lib/schema';
import { type FieldProps, ReadOnlyContext } from './context';
import { Field } from './SchemaForm';

export function ArrayField(props: FieldProps) {
  const { schema, onChange, path } = props;
  const readOnly = useContext(ReadOnlyContext);
  const items = Array.isArray(props.value) ? props.value : [];
  const itemSchema = schema.items ?? {};
  const set = (next: unknown[]) => onChange(next.length === 0 && !props.required ? undefined : next);
  const scalar = !variantsOf(itemSchema) && !['object', 'array'].includes(typeOf(itemSchema) ?? '');
  return (
    <div className={`group array${props.errors?.get(path) ? ' field-error' : ''}`}>
      <div className="group-title">
        {schema.title ?? humanize(props.name || 'items')}
        {props.required && <span className="required">*</span>}
      </div>
      {schema.description && <div className="help">{schema.description}</div>}
      {items.map((item, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity of their own
        <div className={`array-item${scalar ? ' array-item-inline' : ''}`} key={index}>
          <Field
            schema={itemSchema}
            name={scalar ? '' : `${humanize(props.name || 'item')} ${index + 1}`}
            path={`${path}.${index}`}
            errors={props.errors}
            value={item}
            onChange={(child) => set(items.map((old, i) => (i === index ? child : old)))}
          />
          {!readOnly && (
            <button
              type="button"
              className="icon-button"
              title="Remove"
              onClick={() => set(items.filter((_, i) => i !== index))}
            >
              ×
            </button>
          )}
        </div>
      ))}
      {!readOnly && (
        <button
          type="button"
          className="link-button"
          onClick={() => set([...items, defaultValue(itemSchema) ?? (scalar ? '' : {})])}
        >
          + Add{' '}
          {humanize(props.name || 'item')
            .toLowerCase()
            .replace(/s$/, '')}
        </button>
      )}
      {props.errors?.get(path) && <div className="field-message">{props.errors.get(path)}</div>}
    </div>
  );
}

/** Free key → value pairs (`z.record`): attributes to set, template fields. */

export function RecordField(props: FieldProps) {
  const { schema, onChange, path } = props;
  const readOnly = useContext(ReadOnlyContext);
  const value = (props.value && typeof props.value === 'object' ? props.value : {}) as Record<
    string,
    unknown
  >;
  const entries = Object.entries(value);
  const valueSchema = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
  const stringsOnly = typeOf(valueSchema) === 'string';
  const set = (pairs: [string, unknown][]) => onChange(pairs.length ? Object.fromEntries(pairs) : undefined);
  return (
    <div className="group record">
      <div className="group-title">{schema.title ?? humanize(props.name || 'values')}</div>
      {schema.description && <div className="help">{schema.description}</div>}
      {entries.map(([key, item], index) => (
        <div className="record-row" key={key}>
          <input
            aria-label="Name"
            name={`${path}.${index}.key`}
            readOnly={readOnly}
            defaultValue={key}
            onBlur={(e) => {
              if (e.target.value && e.target.value !== key)
                set(entries.map(([k, v]) => (k === key ? [e.target.value, v] : [k, v])));
            }}
          />
          <input
            aria-label="Value"
            name={`${path}.${key}`}
            readOnly={readOnly}
            value={stringsOnly ? String(item ?? '') : showLoose(item)}
            onChange={(e) =>
              set(
                entries.map(([k, v]) => [
                  k,
                  k === key ? (stringsOnly ? e.target.value : parseLoose(e.target.value)) : v,
                ]),
              )
            }
          />
          {!readOnly && (
            <button
              type="button"
              className="icon-button"
              title="Remove"
              onClick={() => set(entries.filter(([k]) => k !== key))}
            >
              ×
            </button>
          )}
        </div>
      ))}
      {!readOnly && (
        <button
          type="button"
          className="link-button"
          onClick={() => {
            let n = entries.length + 1;
            while (`field${n}` in value) n++;
            set([...entries, [`field${n}`, '']]);
          }}
        >
          + Add field
        </button>
      )}
    </div>
  );
}
