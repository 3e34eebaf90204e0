import { useQuery, useQueryClient } from '@tanstack/react-query';
import { setRequestKey } from './client';

const KEY_STORAGE = 'wayline.apiKey';

export interface Session {
  key: string;
  /** The key came from the embedded demo mode, not from the user. */
  demo: boolean;
}

export const sessionKey = ['session'] as const;

/**
 * Finds how to call the API: a key the user pasted (kept in localStorage), else the session
 * cookie, else the demo sign-in the embedded `npm start` offers to a browser on the same machine.
 */
async function loadSession(): Promise<Session | null> {
  const saved = localStorage.getItem(KEY_STORAGE);
  if (saved) {
    setRequestKey(saved);
    return { key: saved, demo: false };
  }
  try {
    const response = await fetch('/ui-config.json');
    if (response.ok) {
      const config = (await response.json()) as { demo?: boolean; autologin?: boolean };
      // A session cookie from an earlier sign-in, else the demo sign-in offered to this machine.
      if ((await fetch('/v1/auth/me', { credentials: 'same-origin' })).ok)
        return { key: '', demo: !!config.demo };
      const demo =
        config.autologin &&
        (await fetch('/v1/auth/demo-sign-in', { method: 'POST', credentials: 'same-origin' })).ok;
      if (demo) return { key: '', demo: true };
    }
  } catch {
    // No config endpoint: the user pastes a key.
  }
  return null;
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: loadSession, staleTime: Number.POSITIVE_INFINITY });
}

/** Remembers a pasted key in this browser and drops everything read with the previous one. */
export function useSignIn(): (key: string) => void {
  const queryClient = useQueryClient();
  return (key) => {
    setRequestKey(key);
    localStorage.setItem(KEY_STORAGE, key);
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
    queryClient.setQueryData<Session | null>(sessionKey, { key, demo: false } as Session);
  };
}

/** Forgets the pasted key; the page reloads to start over. */
export function forgetKey(): void {
  setRequestKey(null);
  localStorage.removeItem(KEY_STORAGE);
  window.location.reload();
}
