import { ConnectorError } from './connector';

export interface PushDevice {
  platform: 'ios' | 'android' | 'web';
  token: string;
}

/** The app installations in a push recipient (`{ ..., devices: [{ platform, token }] }`), filtered by platform. */
export function pushDevices(
  provider: string,
  recipient: string,
  platforms: PushDevice['platform'][],
): PushDevice[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(recipient);
  } catch {
    parsed = undefined;
  }
  const devices = (parsed as { devices?: unknown } | undefined)?.devices;
  const usable = Array.isArray(devices)
    ? (devices as PushDevice[]).filter(
        (d) => d && typeof d.token === 'string' && d.token !== '' && platforms.includes(d.platform),
      )
    : [];
  if (usable.length === 0) {
    throw new ConnectorError(
      `${provider}: the contact has no registered ${platforms.join(' or ')} device`,
      false,
    );
  }
  return usable;
}

/** A push message shape shared by the mobile connectors: title, body and an optional URL to open. */
export interface PushOutcome {
  sent: string[];
  gone: string[];
  failed: ConnectorError[];
}

/**
 * Sums up a send to several devices: sent when any device took it; tokens the provider called
 * invalid are pruned and not retried; when nothing was sent, the most hopeful failure is thrown
 * (a retryable one if any, so Temporal tries again).
 */
export async function settlePush(
  provider: string,
  outcome: PushOutcome,
  onGone: ((token: string) => Promise<void>) | undefined,
): Promise<{ providerId: string; status: 'sent' }> {
  for (const token of outcome.gone) await onGone?.(token);
  if (outcome.sent.length > 0) return { providerId: outcome.sent.join(','), status: 'sent' };
  const retryable = outcome.failed.find((f) => f.retryable);
  if (retryable) throw retryable;
  if (outcome.failed.length > 0) throw outcome.failed[0];
  throw new ConnectorError(
    `${provider}: every device token was invalid or expired (${outcome.gone.length} removed)`,
    false,
    410,
  );
}
