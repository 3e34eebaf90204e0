import type { Channel } from '../../../connectors';
import { InvalidInput } from '../../errors';
import type { ChannelDeps } from '../channels/deps';
import { sendTestMessage, type TestSendOutcome } from '../channels/test-send';
import { type DraftTemplate, type PreviewRequest, previewDraft } from './preview';

const messageChannels: Channel[] = ['email', 'sms', 'push', 'slack', 'webhook', 'wechat'];

/**
 * "Send a test": renders the template (as saved or as being edited) for a contact or sample
 * JSON, then sends it to `to` through the channel's configured provider.
 */
export async function sendTemplateTest(
  deps: ChannelDeps,
  workspaceId: string,
  draft: DraftTemplate & { channel: string },
  to: string,
  request: PreviewRequest,
): Promise<TestSendOutcome> {
  const channel = draft.channel as Channel;
  if (!messageChannels.includes(channel)) {
    throw new InvalidInput(
      'template_not_sendable',
      `A ${draft.channel} is part of other templates and is not sent by itself`,
      'channel',
    );
  }
  const rendered = await previewDraft(deps.db, workspaceId, draft, request, deps.publicUrl);
  return sendTestMessage(deps, workspaceId, channel, to, {
    subject: rendered.subject,
    preheader: rendered.preheader,
    text: rendered.text,
    html: rendered.html,
    template: draft.name,
  });
}
