import type { ChannelDeps } from '../../messaging/channels/deps';
import type { AnyNodeDefinition } from '../../sdk/define-node';
import { contactUpdate } from './contact-update';
import {
  branchCondition,
  branchSwitch,
  exit,
  goal,
  splitRandom,
  waitCondition,
  waitDuration,
  waitEvent,
  waitUntil,
} from './control';
import { dealNodes } from './deals';
import { listAdd, listRemove } from './lists';
import { timelineNote } from './notes';
import { NodeRegistry } from './registry';
import { createSendNodes } from './sends';
import { createSocialNodes } from './social';
import { ticketCreate } from './tickets';
import {
  dateTrigger,
  eventTrigger,
  holidayTrigger,
  manualTrigger,
  scheduleTrigger,
  segmentTrigger,
} from './triggers';

/** Built-in nodes; the send nodes are built over channel dependencies when there are any. */
export function builtInNodes(deps: RegistryDeps = {}): AnyNodeDefinition[] {
  const { emailSend, smsSend, pushSend, webhookCall, slackPost, wechatSend } = createSendNodes(deps.channels);
  const { socialPublish } = createSocialNodes(deps.channels);
  return [
    eventTrigger,
    segmentTrigger,
    dateTrigger,
    holidayTrigger,
    scheduleTrigger,
    manualTrigger,
    waitDuration,
    waitUntil,
    waitEvent,
    waitCondition,
    branchCondition,
    branchSwitch,
    splitRandom,
    goal,
    exit,
    contactUpdate,
    listAdd,
    listRemove,
    ticketCreate,
    timelineNote,
    emailSend,
    smsSend,
    pushSend,
    webhookCall,
    slackPost,
    wechatSend,
    socialPublish,
    ...dealNodes,
  ] as AnyNodeDefinition[];
}

export interface RegistryDeps {
  /** Database, secrets and connector state for the send nodes; without them sends fail when executed. */
  channels?: ChannelDeps;
}

/**
 * The registry of built-in nodes plus any extra (custom) definitions. Validation-only callers
 * (API validator, compile) need no deps; workers pass `{ channels }` so sends can execute.
 */
export function createRegistry(
  extra: { definition: AnyNodeDefinition; source: string }[] = [],
  deps: RegistryDeps = {},
): NodeRegistry {
  const registry = new NodeRegistry(builtInNodes(deps));
  for (const { definition, source } of extra) registry.register(definition, source);
  return registry;
}
