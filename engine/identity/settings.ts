import type { Config } from '../config';

/** How identity behaves in one process; from `engine/config.ts`, with embedded-mode defaults. */
export interface IdentitySettings {
  /** Base of the links in invitation and password-reset emails and of the SSO redirect. */
  publicUrl: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  signIn: { maxPerAccount: number; maxPerIp: number; windowMs: number };
  invitationTtlMs: number;
  passwordResetTtlMs: number;
  oidc?: { issuer: string; clientId: string; clientSecret?: string };
  /** Set in the embedded `npm start` only: a loopback browser is signed in as this user. */
  demoAutologin?: { userId: string };
}

const hour = 3_600_000;

export const defaultIdentitySettings: IdentitySettings = {
  publicUrl: 'http://127.0.0.1:4100',
  sessionIdleMs: 12 * hour,
  sessionMaxMs: 14 * 24 * hour,
  signIn: { maxPerAccount: 5, maxPerIp: 30, windowMs: 15 * 60_000 },
  invitationTtlMs: 7 * 24 * hour,
  passwordResetTtlMs: hour,
};

export function identitySettingsFromConfig(config: Config): IdentitySettings {
  const oidc =
    config.WAYLINE_OIDC_ISSUER && config.WAYLINE_OIDC_CLIENT_ID
      ? {
          issuer: config.WAYLINE_OIDC_ISSUER,
          clientId: config.WAYLINE_OIDC_CLIENT_ID,
          clientSecret: config.WAYLINE_OIDC_CLIENT_SECRET,
        }
      : undefined;
  return {
    ...defaultIdentitySettings,
    publicUrl: config.publicUrl,
    sessionIdleMs: config.WAYLINE_SESSION_IDLE_HOURS * hour,
    sessionMaxMs: config.WAYLINE_SESSION_MAX_DAYS * 24 * hour,
    signIn: {
      ...defaultIdentitySettings.signIn,
      maxPerAccount: config.WAYLINE_SIGN_IN_MAX_FAILURES,
      maxPerIp: config.WAYLINE_SIGN_IN_MAX_FAILURES_PER_IP,
    },
    oidc,
  };
}
