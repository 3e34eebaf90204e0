/** Downloads a value as pretty-printed JSON named after `name` (journey exports). */
export function downloadJson(name: string, value: unknown): void {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'journey'}.json`;
  link.click();
  URL.revokeObjectURL(link.href);
}
