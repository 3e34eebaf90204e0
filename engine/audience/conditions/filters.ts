// Workflow code imports this file: it loads no zod (the schemas are in `filter-schema.ts`).

export const propertyOperators = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'exists',
  'not_exists',
  'in',
] as const;

/** A predicate on one property of an event or contact, addressed by a dotted path. */
export interface PropertyCondition {
  path: string;
  op: (typeof propertyOperators)[number];
  value?: unknown;
}

/** All conditions must hold (empty matches everything). */
export type PropertyFilter = PropertyCondition[];

export function readPath(source: unknown, dotted: string): unknown {
  let current: unknown = source;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function matchesCondition(source: unknown, condition: PropertyCondition): boolean {
  const actual = readPath(source, condition.path);
  const expected = condition.value;
  switch (condition.op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'not_exists':
      return actual === undefined || actual === null;
    case 'eq':
      return looselyEqual(actual, expected);
    case 'neq':
      return !looselyEqual(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(actual, expected, condition.op);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => looselyEqual(item, expected));
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'in':
      return Array.isArray(expected) && expected.some((item) => looselyEqual(actual, item));
  }
}

export function matchesFilter(source: unknown, filter: PropertyFilter | undefined): boolean {
  return (filter ?? []).every((condition) => matchesCondition(source, condition));
}

function looselyEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'string') return a === Number(b);
  if (typeof a === 'string' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function compare(actual: unknown, expected: unknown, op: 'gt' | 'gte' | 'lt' | 'lte'): boolean {
  const pair = comparable(actual, expected);
  if (!pair) return false;
  const [a, b] = pair;
  if (op === 'gt') return a > b;
  if (op === 'gte') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}

function comparable(actual: unknown, expected: unknown): [number, number] | [string, string] | undefined {
  const a = Number(actual);
  const b = Number(expected);
  if (
    actual !== null &&
    actual !== '' &&
    expected !== null &&
    expected !== '' &&
    !Number.isNaN(a) &&
    !Number.isNaN(b)
  ) {
    return [a, b];
  }
  if (typeof actual === 'string' && typeof expected === 'string') return [actual, expected];
  return undefined;
}
