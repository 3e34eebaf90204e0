// Postgres text and jsonb cannot hold NUL, and lone UTF-16 surrogates are not valid UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be found
const nul = /\u0000/g;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when a string can be stored as it is. */
export function isStorable(value: string): boolean {
  nul.lastIndex = 0;
  loneSurrogate.lastIndex = 0;
  return !nul.test(value) && !loneSurrogate.test(value);
}

function cleanString(value: string): string {
  return value.replace(nul, '').replace(loneSurrogate, '\uFFFD');
}

/**
 * Returns a copy of a JSON value whose strings (keys included) Postgres can store: NUL removed,
 * lone surrogates replaced by U+FFFD. `cleaned` lists the dotted paths that changed.
 */
export function cleanJson<T>(value: T, path: string, cleaned: string[] = []): T {
  if (typeof value === 'string') {
    if (isStorable(value)) return value;
    cleaned.push(path);
    return cleanString(value) as T;
  }
  if (Array.isArray(value)) return value.map((item, i) => cleanJson(item, `${path}.${i}`, cleaned)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      let safeKey = key;
      if (!isStorable(key)) {
        safeKey = cleanString(key);
        cleaned.push(`${path}.${safeKey}`);
      }
      out[safeKey] = cleanJson(item, `${path}.${safeKey}`, cleaned);
    }
    return out as T;
  }
  return value;
}
