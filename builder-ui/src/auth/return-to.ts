/**
 * Where to go after signing in: a path on this site only (never `//host` or a full URL, which
 * would turn the sign-in page into an open redirect).
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (value.startsWith('/sign-in')) return '/';
  return value;
}

/** The sign-in address that brings the user back to `path` afterwards. */
export function signInPath(path: string): string {
  return path === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(path)}`;
}
