/** The contract every provider implements, built-in or added by a plugin (`defineConnector` in wayline/sdk). */
import type { z } from 'zod';

export type Channel = 'email' | 'sms' | 'push' | 'webhook' | 'slack' | 'wechat';

export const channels: Channel[] = ['email', 'sms', 'push', 'webhook', 'slack', 'wechat'];

/** A rendered message, ready for a provider: nothing in it is a template any more. */
export interface OutboundMessage {
  /** The ledger row id; providers that accept a reference get it. */
  messageId: string;
  /** Stable across retries of the same send; used as the provider-side idempotency key. */
  idempotencyKey: string;
  channel: Channel;
  /** Email address, phone number, push subscription JSON, webhook URL or WeChat openid. */
  recipient: string;
  subject?: string;
  preheader?: string;
  text?: string;
  html?: string;
  /** Channel-specific extras: email headers, webhook method and JSON body, WeChat template data. */
  data?: Record<string, unknown>;
}

export interface SendResult {
  providerId: string;
  /** `sent` when the provider accepted the message; `delivered` when it confirms delivery at once. */
  status: 'sent' | 'delivered';
}

export interface ConnectorContext<Config = unknown> {
  /** The workspace's provider settings, validated by the connector's schema, secrets decrypted. */
  config: Config;
  /** Per-process cache that survives across sends: SMTP pools, WeChat access tokens. */
  cache: Map<string, unknown>;
  /** Where provider status callbacks for this message should go, when the provider supports them. */
  statusCallbackUrl?: string;
  /**
   * Called with a push device token the provider answered is invalid or expired (FCM
   * `UNREGISTERED`, APNs 410 `Unregistered`), so the token is removed and never tried again.
   */
  onRecipientGone?: (token: string) => Promise<void>;
}

/**
 * A provider failure. `retryable` ones (5xx, network) are retried by Temporal with backoff;
 * fatal ones (4xx: bad address, bad credentials) fail the send at once.
 */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }

  static fromStatus(provider: string, status: number, detail: string): ConnectorError {
    const retryable = status >= 500 || status === 429 || status === 408;
    return new ConnectorError(`${provider} answered ${status}: ${detail.slice(0, 300)}`, retryable, status);
  }

  static network(provider: string, error: unknown): ConnectorError {
    return new ConnectorError(`${provider} is unreachable: ${(error as Error).message}`, true);
  }
}

export interface Connector<Schema extends z.ZodType = z.ZodType> {
  id: string;
  channel: Channel;
  title: string;
  configSchema: Schema;
  /** Config fields stored encrypted and never returned by the API. */
  secretFields: string[];
  send(message: OutboundMessage, ctx: ConnectorContext<z.infer<Schema>>): Promise<SendResult>;
}

export type AnyConnector = Connector<z.ZodType>;

/** The one way a provider is declared: its config schema validates settings, `send` talks to it. */
export function defineConnector<Schema extends z.ZodType>(
  definition: Omit<Connector<Schema>, 'secretFields'> & { secretFields?: string[] },
): Connector<Schema> {
  return { secretFields: [], ...definition };
}
