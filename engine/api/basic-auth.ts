/** The username of an HTTP Basic header (`key:` or just `key`, base64); undefined without one. */
export function basicUsername(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = colon === -1 ? decoded : decoded.slice(0, colon);
  return username || undefined;
}
