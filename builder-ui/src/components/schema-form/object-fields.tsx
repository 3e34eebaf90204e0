import { useContext, useId } from 'react';
import {
  defaultValue,
  discriminatorOf,
  humanize,
  switchVariant,
  variantIndex,
  variantLabel,
} from '../../lib/schema';
import type { JsonSchema } from '../../lib/types';
import { type FieldProps, ReadOnlyContext } from './context';
import { Field } from './SchemaForm';

export function ObjectField(props: FieldProps & { skip?: string }) {
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

export function UnionField(props: FieldProps & { variants: JsonSchema[] }) {
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
