import { apns } from './apns';
import { appPush } from './app-push';
import type { AnyConnector, Channel } from './connector';
import { devOutbox } from './dev-outbox';
import { facebookPublisher } from './facebook';
import { fcm } from './fcm';
import { slack } from './slack';
import { smtpEmail } from './smtp-email';
import type { AnySocialPublisher } from './social';
import { webhookPublisher } from './social-webhook';
import { twilioSms } from './twilio-sms';
import { webPushConnector } from './web-push';
import { webhook } from './webhook';
import { wechat } from './wechat';
import { xPublisher } from './x';

export * from './connector';
export * from './social';
export { devOutbox };

/** Every provider Wayline ships, by id. */
export const connectors: AnyConnector[] = [
  smtpEmail,
  twilioSms,
  webhook,
  slack,
  webPushConnector,
  wechat,
  fcm,
  apns,
  appPush,
] as AnyConnector[];

/**
 * Adds a plugin's connector to the list, so channel settings offer it and sends resolve it
 * like a built-in one. Registering the same object twice is a no-op; another connector
 * under a taken id is refused.
 */
export function registerConnector(connector: AnyConnector): void {
  const existing = findConnector(connector.id);
  if (existing === connector) return;
  if (existing) throw new Error(`connector id "${connector.id}" is already taken by ${existing.title}`);
  connectors.push(connector);
}

export function findConnector(id: string): AnyConnector | undefined {
  return connectors.find((c) => c.id === id);
}

export function connectorsFor(channel: Channel): AnyConnector[] {
  return connectors.filter((c) => c.channel === channel);
}

/** The social networks a content item can be published to. */
export const socialPublishers: AnySocialPublisher[] = [
  xPublisher,
  facebookPublisher,
  webhookPublisher,
] as AnySocialPublisher[];

export function findSocialPublisher(id: string): AnySocialPublisher | undefined {
  return socialPublishers.find((p) => p.id === id);
}
