import { csvField } from '../identity/audit';

/** RFC 4180 text of rows (first row's keys, or `columns`, as the header); dates as ISO strings. */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: string[]): string {
  const header = columns ?? Object.keys(rows[0] ?? {});
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return csvField(value.join(' '));
    if (typeof value === 'object') return csvField(JSON.stringify(value));
    return csvField(value as string | number);
  };
  const lines = [
    header.map((h) => csvField(h)).join(','),
    ...rows.map((row) => header.map((h) => cell(row[h])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
