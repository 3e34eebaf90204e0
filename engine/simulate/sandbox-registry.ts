import { NodeRegistry } from '../automation/nodes/registry';
import { type AnyNodeDefinition, defineNode, type NodeContext } from '../sdk/define-node';

/** Nodes whose only effect is on the contact's own rows, which live in the simulation's database. */
const runForReal = new Set(['contact.update', 'list.add', 'list.remove']);

function recipientOf(channel: string, ctx: NodeContext): string | null {
  if (channel === 'email') return ctx.contact.email;
  if (channel === 'sms') return ctx.contact.phone;
  return null;
}

function textOf(config: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) if (typeof config[key] === 'string') return config[key] as string;
  return null;
}

function simulated(definition: AnyNodeDefinition): AnyNodeDefinition {
  const isMessage = definition.category === 'Messages';
  return defineNode({
    ...definition,
    async execute(config, ctx) {
      if (!isMessage) return { output: { simulated: true } };
      const values = (config ?? {}) as Record<string, unknown>;
      const channel = definition.type.split('.')[0];
      const row = await ctx.recordMessage({
        channel,
        status: 'simulated',
        provider: 'simulation',
        reason: 'simulation: nothing is sent',
        recipient: recipientOf(channel, ctx),
        subject: textOf(values, 'subject', 'title', 'template', 'templateId'),
        body: definition.summary ? definition.summary(config) : textOf(values, 'text', 'body'),
        payload: values,
      });
      return { output: { messageId: row.id, status: 'simulated', simulated: true } };
    },
  });
}

/**
 * The registry a simulation's worker runs: the same node types and versions, but every action
 * that could reach the outside world (sends, webhooks, custom nodes) only records what it would
 * have done. Contact and list updates run for real against the throwaway database.
 */
export function sandboxRegistry(registry: NodeRegistry): NodeRegistry {
  const sandbox = new NodeRegistry();
  for (const definition of registry.all()) {
    const safe = definition.kind !== 'action' || runForReal.has(definition.type);
    sandbox.register(safe ? definition : simulated(definition), 'simulation');
  }
  return sandbox;
}
