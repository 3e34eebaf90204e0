import { createContext } from 'react';
import type { JsonSchema } from '../../lib/types';

/** Suggestions for fields by property name: known events, templates, segments. */
export interface Pickers {
  [propertyName: string]: { value: string; label?: string }[];
}

export const PickerContext = createContext<Pickers>({});
export const ReadOnlyContext = createContext(false);

export interface FieldProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  name: string;
  path: string;
  required?: boolean;
  /** Field paths with problems, from the validator. */
  errors?: Map<string, string>;
}
