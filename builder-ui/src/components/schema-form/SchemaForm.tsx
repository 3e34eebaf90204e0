import { useId } from 'react';
import { humanize, typeOf, variantsOf } from '../../lib/schema';
import type { JsonSchema } from '../../lib/types';
import { ArrayField, RecordField } from './collection-fields';
import { type FieldProps, PickerContext, type Pickers, ReadOnlyContext } from './context';
import { ObjectField, UnionField } from './object-fields';
import { Scalar } from './Scalar';

export type { Pickers } from './context';

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

export function Field(props: FieldProps) {
  const { schema } = props;
  const variants = variantsOf(schema);
  if (variants?.length) return <UnionField {...props} variants={variants} />;
  const type = typeOf(schema);
  if (type === 'object' && schema.properties) return <ObjectField {...props} />;
  if (type === 'object') return <RecordField {...props} />;
  if (type === 'array') return <ArrayField {...props} />;
  return <Labelled {...props}>{(id) => <Scalar {...props} id={id} />}</Labelled>;
}

export function Labelled(
  props: FieldProps & { children: (id: string) => React.ReactNode; inline?: boolean },
) {
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
