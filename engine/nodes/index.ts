import type { AnyNodeDefinition } from '../sdk/define-node';
import { NodeRegistry } from '../sdk/registry';
import { contactUpdate } from './contact-update';
import {
  branchCondition,
  branchSwitch,
  exit,
  goal,
  splitRandom,
  waitDuration,
  waitEvent,
  waitUntil,
} from './control';
import { listAdd, listRemove } from './lists';
import { emailSend, pushSend, slackPost, smsSend, webhookCall, wechatSend } from './sends';
import { dateTrigger, eventTrigger, manualTrigger, scheduleTrigger, segmentTrigger } from './triggers';

export const builtInNodes = [
  eventTrigger,
  segmentTrigger,
  dateTrigger,
  scheduleTrigger,
  manualTrigger,
  waitDuration,
  waitUntil,
  waitEvent,
  branchCondition,
  branchSwitch,
  splitRandom,
  goal,
  exit,
  contactUpdate,
  listAdd,
  listRemove,
  emailSend,
  smsSend,
  pushSend,
  webhookCall,
  slackPost,
  wechatSend,
] as AnyNodeDefinition[];

/** The registry of built-in nodes plus any extra (custom) definitions. */
export function createRegistry(
  extra: { definition: AnyNodeDefinition; source: string }[] = [],
): NodeRegistry {
  const registry = new NodeRegistry(builtInNodes);
  for (const { definition, source } of extra) registry.register(definition, source);
  return registry;
}
