import { z } from 'zod';
import { type AnyNodeDefinition, type PortSpec, portsOf } from '../../sdk/define-node';

export class NodeDefinitionInvalid extends Error {
  readonly code = 'node_definition_invalid';
}

export interface NodeTypeInfo {
  type: string;
  version: number;
  kind: AnyNodeDefinition['kind'];
  title: string;
  category: string;
  description?: string;
  /** Ports for the default config; nodes with config-dependent ports list them per node. */
  ports: PortSpec[];
  dynamicPorts: boolean;
  configSchema: Record<string, unknown>;
  latest: boolean;
}

const typePattern = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;

/** Every node type Wayline can run, keyed by `type@version`; built once at start-up. */
export class NodeRegistry {
  private readonly byKey = new Map<string, AnyNodeDefinition>();
  private readonly sources = new Map<string, string>();

  constructor(definitions: AnyNodeDefinition[] = [], source = 'built-in') {
    for (const definition of definitions) this.register(definition, source);
  }

  register(definition: AnyNodeDefinition, source: string): void {
    const problems = checkDefinition(definition);
    const key = `${definition?.type}@${definition?.version}`;
    if (this.byKey.has(key)) {
      problems.push(`${key} is already defined by ${this.sources.get(key)}`);
    }
    if (problems.length > 0) {
      throw new NodeDefinitionInvalid(
        `Node definition ${definition?.type ?? '(no type)'} in ${source} is invalid: ${problems.join('; ')}`,
      );
    }
    this.byKey.set(key, definition);
    this.sources.set(key, source);
  }

  get(type: string, version?: number): AnyNodeDefinition | undefined {
    if (version !== undefined) return this.byKey.get(`${type}@${version}`);
    return this.latest(type);
  }

  latest(type: string): AnyNodeDefinition | undefined {
    let best: AnyNodeDefinition | undefined;
    for (const definition of this.byKey.values()) {
      if (definition.type === type && (!best || definition.version > best.version)) best = definition;
    }
    return best;
  }

  versions(type: string): number[] {
    return [...this.byKey.values()].filter((d) => d.type === type).map((d) => d.version);
  }

  all(): AnyNodeDefinition[] {
    return [...this.byKey.values()];
  }

  describe(): NodeTypeInfo[] {
    return this.all().map((definition) => {
      const latest = this.latest(definition.type) === definition;
      const dynamicPorts = typeof definition.ports === 'function';
      return {
        type: definition.type,
        version: definition.version,
        kind: definition.kind,
        title: definition.title,
        category: definition.category,
        description: definition.description,
        ports: dynamicPorts ? [] : portsOf(definition, undefined),
        dynamicPorts,
        configSchema: z.toJSONSchema(definition.config, { io: 'input', unrepresentable: 'any' }) as Record<
          string,
          unknown
        >,
        latest,
      };
    });
  }
}

function checkDefinition(definition: AnyNodeDefinition): string[] {
  const problems: string[] = [];
  if (!definition || typeof definition !== 'object') return ['it is not an object'];
  if (typeof definition.type !== 'string' || !typePattern.test(definition.type)) {
    problems.push('type must look like "category.name" (lowercase, dotted)');
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    problems.push('version must be a positive integer');
  }
  if (!['trigger', 'control', 'action'].includes(definition.kind)) {
    problems.push('kind must be trigger, control or action');
  }
  if (!definition.title) problems.push('title is required');
  if (!definition.category) problems.push('category is required');
  if (!isZodSchema(definition.config)) {
    problems.push('config must be a zod schema');
  } else {
    try {
      z.toJSONSchema(definition.config, { io: 'input' });
    } catch (error) {
      problems.push(`config cannot be converted to JSON Schema (${(error as Error).message})`);
    }
  }
  if (!Array.isArray(definition.ports) && typeof definition.ports !== 'function') {
    problems.push('ports must be an array or a function of the config');
  } else if (Array.isArray(definition.ports)) {
    const ids = definition.ports.map((p) => p?.id);
    if (ids.some((id) => typeof id !== 'string' || id === '')) problems.push('every port needs an id');
    if (new Set(ids).size !== ids.length) problems.push('port ids must be unique');
    if (definition.kind === 'action' && ids.length === 0) {
      problems.push('action nodes must declare at least one port (usually nextPort)');
    }
  }
  if (definition.setup !== undefined && typeof definition.setup !== 'function') {
    problems.push('setup must be a function of the database');
  }
  if (definition.kind === 'action' && typeof definition.execute !== 'function') {
    problems.push('action nodes need an execute(config, ctx) function');
  }
  if (definition.kind !== 'action' && definition.execute) {
    problems.push('only action nodes have execute(); control and trigger nodes run in the interpreter');
  }
  return problems;
}

/** Duck-typed, so a plugin that brings its own copy of zod 4 is accepted too. */
function isZodSchema(value: unknown): value is z.ZodType {
  if (value instanceof z.ZodType) return true;
  const candidate = value as { safeParse?: unknown; _zod?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.safeParse === 'function' &&
    typeof candidate._zod === 'object'
  );
}
