import { useQuery } from '@tanstack/react-query';
import type { Permission } from '../../../engine/identity/permissions';
import type { WorkspaceOfUser } from '../../../engine/identity/workspaces';
import { ApiError, api } from './client';

export type { Permission };
export type Role = WorkspaceOfUser['role'];
export type WorkspaceChoice = WorkspaceOfUser;

/** `GET /v1/auth/me` for a signed-in user: who, where, with which role and permissions. */
export interface Me {
  user: { id: string; email: string; name: string };
  workspaceId: string | null;
  role: Role | null;
  permissions: Permission[];
  workspaces: WorkspaceChoice[];
  csrfToken: string | null;
}

/** `GET /ui-config.json`: what this server offers before anyone signs in. */
export interface UiConfig {
  /** A browser on the server's machine, with the embedded demo's autologin. */
  demo: boolean;
  autologin: boolean;
  /** Single sign-on is configured. */
  sso: boolean;
}

export const sessionKey = ['session'] as const;
export const uiConfigKey = ['ui-config'] as const;

/** After an explicit sign-out the demo autologin waits for the next sign-in, or it would undo it. */
const SIGNED_OUT = 'wayline.signedOut';

export function rememberSignedOut(signedOut: boolean): void {
  if (signedOut) {
    localStorage.setItem(SIGNED_OUT, '1');
    localStorage.removeItem(READS_JOURNEYS);
  } else localStorage.removeItem(SIGNED_OUT);
}

/** Set while the last session check in this browser found a user who may read journeys. */
const READS_JOURNEYS = 'wayline.readsJourneys';

/**
 * Whether the last session check in this browser found a user who may read journeys: the
 * start-up then reads the editor's journey and the node types beside the session check (see
 * `warmRoute`), a guess that costs two refused reads when the session has ended since.
 */
export function readJourneysLastTime(): boolean {
  return localStorage.getItem(READS_JOURNEYS) === '1';
}

function rememberJourneyReader(me: Me | null): void {
  if (me?.workspaceId && me.permissions.includes('journeys:read')) localStorage.setItem(READS_JOURNEYS, '1');
  else localStorage.removeItem(READS_JOURNEYS);
}

async function loadUiConfig(): Promise<UiConfig> {
  try {
    const response = await fetch('/ui-config.json');
    if (response.ok) return { demo: false, autologin: false, sso: false, ...(await response.json()) };
  } catch {
    // A server without the config endpoint offers nothing beyond the password sign-in.
  }
  return { demo: false, autologin: false, sso: false };
}

export function useUiConfig() {
  return useQuery({ queryKey: uiConfigKey, queryFn: loadUiConfig, staleTime: Number.POSITIVE_INFINITY });
}

async function readMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me & { user: Me['user'] | null }>('/auth/me');
    return me.user ? me : null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/**
 * The signed-in user from the session cookie, or null; on the machine running the embedded
 * `npm start` a browser without a session is signed in as the demo owner first.
 */
async function loadSession(): Promise<Me | null> {
  const me = await readMe();
  if (me) return me;
  const config = await loadUiConfig();
  if (!config.autologin || localStorage.getItem(SIGNED_OUT)) return null;
  const demo = await fetch('/v1/auth/demo-sign-in', { method: 'POST', credentials: 'same-origin' });
  return demo.ok ? readMe() : null;
}

export const sessionQuery = {
  queryKey: sessionKey,
  queryFn: async () => {
    const me = await loadSession();
    rememberJourneyReader(me);
    return me;
  },
  staleTime: Number.POSITIVE_INFINITY,
};

export function useSession() {
  return useQuery(sessionQuery);
}

/** The signed-in user; only inside the signed-in layout, which renders nothing without one. */
export function useMe(): Me {
  const session = useSession();
  if (!session.data) throw new Error('useMe outside the signed-in layout');
  return session.data;
}

/** Whether the active role holds a permission: the UI hides what it cannot do (the server decides). */
export function useCan(): (permission: Permission) => boolean {
  const me = useMe();
  return (permission) => me.permissions.includes(permission);
}
