import { z } from 'zod';
import {
  type AnyConnector,
  type Channel,
  channels,
  findConnector,
  registerConnector,
} from '../../connectors';
import { type LoadedConnector, PluginInvalid } from './load-plugins';

/**
 * Checks each connector a plugin exports and adds it to the connector list: it then appears
 * among the providers of its channel (`GET /v1/channels`), can be chosen in channel settings,
 * and its sends go through the same policy, ledger and idempotency keys as the built-in ones.
 */
export function registerPluginConnectors(loaded: LoadedConnector[]): AnyConnector[] {
  const registered: AnyConnector[] = [];
  for (const { connector: candidate, source } of loaded) {
    const connector = candidate as Partial<AnyConnector>;
    const name = typeof connector.id === 'string' ? connector.id : '(no id)';
    const problems: string[] = [];
    if (typeof connector.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(connector.id))
      problems.push('id must be lowercase letters, digits and dashes');
    if (!channels.includes(connector.channel as Channel))
      problems.push(`channel must be one of ${channels.join(', ')}`);
    if (typeof connector.title !== 'string' || connector.title === '') problems.push('title is required');
    if (!(connector.configSchema instanceof z.ZodType)) problems.push('configSchema must be a zod schema');
    else {
      try {
        z.toJSONSchema(connector.configSchema, { io: 'input', unrepresentable: 'any' });
      } catch (error) {
        problems.push(`configSchema cannot be converted to JSON Schema (${(error as Error).message})`);
      }
    }
    if (
      connector.secretFields !== undefined &&
      (!Array.isArray(connector.secretFields) || connector.secretFields.some((f) => typeof f !== 'string'))
    )
      problems.push('secretFields must be a list of config field names');
    const taken = typeof connector.id === 'string' ? findConnector(connector.id) : undefined;
    if (taken && taken !== candidate) problems.push(`id is already taken by ${taken.title}`);
    if (problems.length > 0) {
      throw new PluginInvalid(`Connector ${name} in ${source} is invalid: ${problems.join('; ')}`);
    }
    connector.secretFields ??= [];
    registerConnector(connector as AnyConnector);
    registered.push(connector as AnyConnector);
  }
  return registered;
}
