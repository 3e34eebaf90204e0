import type { JsonSchema } from './types';

/** "offsetDays" → "Offset days", "segmentId" → "Segment", "re-entry" → "Re entry". */
export function humanize(name: string): string {
  const words = name
    .replace(/Id$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.enum) return 'string';
  return undefined;
}

export function variantsOf(schema: JsonSchema): JsonSchema[] | undefined {
  return schema.oneOf ?? schema.anyOf;
}

/**
 * The property every variant pins with a `const` (zod's discriminated unions), so a union can
 * be edited as "pick the kind, then fill its fields".
 */
export function discriminatorOf(variants: JsonSchema[]): string | undefined {
  const first = variants[0]?.properties ?? {};
  return Object.keys(first).find((key) =>
    variants.every((variant) => variant.properties?.[key]?.const !== undefined),
  );
}

export function variantIndex(variants: JsonSchema[], value: unknown): number {
  const key = discriminatorOf(variants);
  if (key && value && typeof value === 'object') {
    const found = variants.findIndex(
      (variant) => variant.properties?.[key]?.const === (value as Record<string, unknown>)[key],
    );
    if (found >= 0) return found;
  }
  return 0;
}

/**
 * The starting value of a new node's config: schema defaults, required nested objects and the
 * first variant of a union. Required strings stay empty so the validator asks for them.
 */
export function defaultValue(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  const variants = variantsOf(schema);
  if (variants?.length) return defaultValue(variants[0]);
  const type = typeOf(schema);
  if (type === 'object') {
    const value: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const wanted = required.has(key) || property.default !== undefined || property.const !== undefined;
      if (!wanted) continue;
      const child = defaultValue(property);
      if (child !== undefined) value[key] = child;
    }
    return value;
  }
  if (type === 'array' && (schema.minItems ?? 0) > 0 && schema.items) {
    const item = defaultValue(schema.items);
    return item === undefined
      ? []
      : Array.from({ length: schema.minItems ?? 0 }, () => structuredClone(item));
  }
  if (type === 'array') return undefined;
  return undefined;
}

/** A new variant keeps the fields the old one shared with it (the user's typing survives). */
export function switchVariant(variants: JsonSchema[], index: number, current: unknown): unknown {
  const fresh = defaultValue(variants[index]) as Record<string, unknown>;
  if (!current || typeof current !== 'object') return fresh;
  const keep = Object.keys(variants[index].properties ?? {});
  const key = discriminatorOf(variants);
  const carried = Object.fromEntries(
    Object.entries(current as Record<string, unknown>).filter(([k]) => keep.includes(k) && k !== key),
  );
  return { ...fresh, ...carried };
}

export function variantLabel(variant: JsonSchema, discriminator: string | undefined, index: number): string {
  if (variant.title) return variant.title;
  if (discriminator) return humanize(String(variant.properties?.[discriminator]?.const));
  return `Option ${index + 1}`;
}

/** Long free text reads better in a textarea. */
export function isLongText(name: string, schema: JsonSchema): boolean {
  return (
    ['text', 'body', 'html', 'message'].includes(name) ||
    (schema.maxLength ?? 0) > 200 ||
    /liquid|json body/i.test(schema.description ?? '')
  );
}

/** Reads a free-form ("unknown") value as JSON when it parses, else as the string typed. */
export function parseLoose(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function showLoose(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
