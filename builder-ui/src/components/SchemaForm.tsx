import { createContext, useContext, useId } from 'react';
import {
  defaultValue,
  discriminatorOf,
  humanize,
  isLongText,
  parseLoose,
  showLoose,
  switchVariant,
  typeOf,
  variantIndex,
  variantLabel,
  variantsOf,
} from '../lib/schema';
import type { JsonSchema } from '../lib/types';

/** Suggestions for fields by property name: known events, templates, segments. */
export interface Pickers {
  [propertyName: string]: { value: string; label?: string }[];
}

const PickerContext = createContext<Pickers>({});
const ReadOnlyContext = createContext(false);

interface FieldProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  name: string;
  path: string;
  required?: boolean;
  /** Field paths with problems, from the validator. */
  errors?: Map<string, string>;
}

export function SchemaForm(props: {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  pickers?: Pickers;
  readOnly?: boolean;
  errors?: Map<string, string>;
}) {
  return (
    <PickerContext.Provider value={props.pickers ?? {}}>
      <ReadOnlyContext.Provider value={!!props.readOnly}>
        <div className="schema-form">
          <Field
            schema={props.schema}
            value={props.value}
            onChange={props.onChange}
            name=""
            path=""
            errors={props.errors}
          />
        </div>
      </ReadOnlyContext.Provider>
    </PickerContext.Provider>
  );
}

function Field(props: FieldProps) {
  const { schema } = props;
  const variants = variantsOf(schema);
  if (variants?.length) return <UnionField {...props} variants={variants} />;
  const type = typeOf(schema);
  if (type === 'object' && schema.properties) return <ObjectField {...props} />;
  if (type === 'object') return <RecordField {...props} />;
  if (type === 'array') return <ArrayField {...props} />;
  return <Labelled {...props}>{(id) => <Scalar {...props} id={id} />}</Labelled>;
}

function Labelled(props: FieldProps & { children: (id: string) => React.ReactNode; inline?: boolean }) {
  const id = useId();
  const error = props.errors?.get(props.path);
  const label = props.schema.title ?? (props.name ? humanize(props.name) : '');
  return (
    <div className={`field${error ? ' field-error' : ''}${props.inline ? ' field-inline' : ''}`}>
      {label && (
        <label htmlFor={id}>
          {label}
          {props.required && <span className="required">*</span>}
        </label>
      )}
      {props.children(id)}
      {props.schema.description && <div className="help">{props.schema.description}</div>}
      {error && <div className="field-message">{error}</div>}
    </div>
  );
}

function Scalar(props: FieldProps & { id: string }) {
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

function ObjectField(props: FieldProps & { skip?: string }) {
  const { schema, onChange, path } = props;
  const value = (props.value && typeof props.value === 'object' ? props.value : {}) as Record<
    string,
    unknown
  >;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).filter(([key]) => key !== props.skip);
  const body = fields.map(([key, property]) => (
    <Field
      key={key}
      schema={property}
      name={key}
      path={path ? `${path}.${key}` : key}
      required={required.has(key)}
      errors={props.errors}
      value={value[key]}
      onChange={(child) => {
        const next = { ...value };
        if (child === undefined) delete next[key];
        else next[key] = child;
        onChange(next);
      }}
    />
  ));
  if (!props.name) return <>{body}</>;
  return (
    <fieldset className="group">
      <legend>
        {schema.title ?? humanize(props.name)}
        {props.required && <span className="required">*</span>}
      </legend>
      {schema.description && <div className="help">{schema.description}</div>}
      {body}
    </fieldset>
  );
}

function UnionField(props: FieldProps & { variants: JsonSchema[] }) {
  const { variants, onChange, path } = props;
  const readOnly = useContext(ReadOnlyContext);
  const id = useId();
  const discriminator = discriminatorOf(variants);
  const index = variantIndex(variants, props.value);
  const label = discriminator ? humanize(discriminator) : 'Kind';
  const selectPath = path ? `${path}.${discriminator ?? 'variant'}` : (discriminator ?? 'variant');
  return (
    <div className={props.name ? 'group union' : 'union'}>
      {props.name && <div className="group-title">{humanize(props.name)}</div>}
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select
          id={id}
          name={selectPath}
          disabled={readOnly}
          value={index}
          onChange={(e) => onChange(switchVariant(variants, Number(e.target.value), props.value))}
        >
          {variants.map((variant, i) => (
            <option key={variantLabel(variant, discriminator, i)} value={i}>
              {variantLabel(variant, discriminator, i)}
            </option>
          ))}
        </select>
      </div>
      <ObjectField
        {...props}
        name=""
        schema={variants[index]}
        skip={discriminator}
        value={props.value ?? defaultValue(variants[index])}
      />
    </div>
  );
}

function ArrayField(props: FieldProps) {
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
function RecordField(props: FieldProps) {
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
