import type { Db } from '../../db';
import { prepareNode } from '../activities/node-context';
import { type LoadedPlugins, PluginInvalid } from './load-plugins';

/** Runs every loaded node's `setup` hook at start-up, so a failing one stops start-up by name. */
export async function preparePlugins(db: Db, plugins: LoadedPlugins): Promise<void> {
  for (const { definition, source } of plugins.nodes) {
    try {
      await prepareNode(db, definition);
    } catch (error) {
      throw new PluginInvalid(
        `setup of node ${definition.type}@${definition.version} in ${source} failed: ${(error as Error).message}`,
      );
    }
  }
}
