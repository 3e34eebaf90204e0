import { ApiError } from '../api/client';

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The server's own words for a failed call: a 403 names the missing permission, a 429 says when
 * to try again.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const retryAfter = Number(error.details.retryAfter);
  if (error.status === 429 && retryAfter > 0) {
    const at = new Date(Date.now() + retryAfter * 1000).toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
    });
    const said = error.message.replace(/[;.]?\s*try again later\.?$/i, '');
    return `${said}. Try again in ${waitText(retryAfter)} (at ${at}).`;
  }
  const permission = error.details.permission;
  if (error.status === 403 && typeof permission === 'string' && !error.message.includes(permission))
    return `${error.message} (missing permission: ${permission})`;
  return error.message;
}

export function ErrorAlert(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <div className="alert error" role="alert">
      {errorText(props.error)}
    </div>
  );
}
