import type { AnyConnector, Channel } from './connector';
import { devOutbox } from './dev-outbox';
import { slack } from './slack';
import { smtpEmail } from './smtp-email';
import { twilioSms } from './twilio-sms';
import { webPushConnector } from './web-push';
import { webhook } from './webhook';
import { wechat } from './wechat';

export * from './connector';
export { devOutbox };

/** Every provider Wayline ships, by id. */
export const connectors: AnyConnector[] = [
  smtpEmail,
  twilioSms,
  webhook,
  slack,
  webPushConnector,
  wechat,
] as AnyConnector[];

export function findConnector(id: string): AnyConnector | undefined {
  return connectors.find((c) => c.id === id);
}

export function connectorsFor(channel: Channel): AnyConnector[] {
  return connectors.filter((c) => c.channel === channel);
}
