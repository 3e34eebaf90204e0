/**
 * Which node types are channel sends, and their channel. Pure data: the interpreter workflow
 * imports it to run each send on its channel's task queue (`<queue>-<channel>`).
 */
export const SEND_NODE_CHANNELS: Record<string, string> = {
  'email.send': 'email',
  'sms.send': 'sms',
  'push.send': 'push',
  'webhook.call': 'webhook',
  'slack.post': 'slack',
  'wechat.send': 'wechat',
};

export const SEND_CHANNELS = [...new Set(Object.values(SEND_NODE_CHANNELS))];
