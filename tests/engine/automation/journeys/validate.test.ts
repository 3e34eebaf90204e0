import { describe, expect, it } from 'vitest';
import type {
  JourneyEdge,
  JourneyGraphInput,
  JourneyNode,
} from '../../../../engine/automation/journeys/model';
import { problemCodes, validateJourney } from '../../../../engine/automation/journeys/validate';
import { createRegistry } from '../../../../engine/automation/nodes/index';

const registry = createRegistry();

type NodeInput = Omit<JourneyNode, 'config'> & { config?: Record<string, unknown> };

function node(
  id: string,
  type: string,
  config: Record<string, unknown> = {},
  extra: Partial<NodeInput> = {},
) {
  return { id, type, config, ...extra };
}

function edge(source: string, target: string, sourceHandle?: string, id?: string): JourneyEdge {
  return { id: id ?? `${source}-${sourceHandle ?? 'next'}-${target}`, source, target, sourceHandle };
}

const trigger = node('start', 'trigger.event', { event: 'Signed Up' });
const welcome = node('welcome', 'email.send', { template: 'welcome-1' }, { label: 'Welcome email' });
const end = node('end', 'exit');
const wait = (id: string) => node(id, 'wait.duration', { duration: { amount: 1, unit: 'days' } });

/** trigger → welcome email → exit: valid, no warnings. */
function journey(overrides: Partial<JourneyGraphInput> = {}): JourneyGraphInput {
  return {
    name: 'Welcome',
    nodes: [trigger, welcome, end],
    edges: [edge('start', 'welcome'), edge('welcome', 'end')],
    ...overrides,
  };
}

function validate(graph: unknown) {
  return validateJourney(graph, registry);
}

describe('validateJourney', () => {
  it('finds no problem in a valid journey', () => {
    expect(validate(journey())).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('reports each schema issue as graph_invalid on the node concerned, and stops there', () => {
    const result = validate(
      journey({
        nodes: [trigger, { ...welcome, type: '' }, end],
        edges: [edge('start', 'welcome'), edge('welcome', 'ghost')],
      }),
    );
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'graph_invalid', nodeId: 'welcome', field: 'nodes.1.type' }),
    ]);
  });

  it('reports input that is not a journey at all as graph_invalid', () => {
    const result = validate('not a graph');
    expect(result.errors.map((p) => p.code)).toEqual(['graph_invalid']);
    expect(result.errors[0].nodeId).toBeUndefined();
  });

  it('reports a node id used twice on the second node', () => {
    const result = validate(journey({ nodes: [trigger, welcome, end, node('end', 'exit')] }));
    expect(result.errors).toEqual([expect.objectContaining({ code: 'node_id_duplicate', nodeId: 'end' })]);
  });

  it('reports an edge id used twice', () => {
    const result = validate(
      journey({
        edges: [edge('start', 'welcome', undefined, 'e1'), edge('welcome', 'end', undefined, 'e1')],
      }),
    );
    expect(result.errors).toEqual([expect.objectContaining({ code: 'edge_id_duplicate', edgeId: 'e1' })]);
  });

  it('reports a journey without a trigger', () => {
    const result = validate(journey({ nodes: [welcome, end], edges: [edge('welcome', 'end')] }));
    expect(result.errors).toEqual([expect.objectContaining({ code: 'trigger_missing' })]);
  });

  it('reports each extra trigger on its own node', () => {
    const second = node('second', 'trigger.segment', { segmentId: 'vip' });
    const result = validate(
      journey({ nodes: [trigger, second, welcome, end], edges: [...journey().edges, edge('second', 'end')] }),
    );
    expect(result.errors).toEqual([expect.objectContaining({ code: 'trigger_extra', nodeId: 'second' })]);
  });

  it('reports a node type no definition provides', () => {
    const result = validate(journey({ nodes: [trigger, { ...welcome, type: 'email.sned' }, end] }));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'node_type_unknown', nodeId: 'welcome', field: 'type' }),
    ]);
    expect(result.errors[0].message).toContain('email.sned');
  });

  it('reports a pinned version that does not exist and lists the available ones', () => {
    const result = validate(journey({ nodes: [trigger, { ...welcome, version: 7 }, end] }));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'node_version_unknown', nodeId: 'welcome', field: 'version' }),
    ]);
    expect(result.errors[0].message).toContain('available: 1');
  });

  it('reports each config issue with its field path and zod message, naming the node by id and label', () => {
    const pause = node(
      'pause',
      'wait.duration',
      { duration: { amount: -1, unit: 'days' } },
      { label: 'Pause' },
    );
    const result = validate(
      journey({
        nodes: [trigger, pause, end],
        edges: [edge('start', 'pause'), edge('pause', 'end')],
      }),
    );
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'config_invalid', nodeId: 'pause', field: 'duration.amount' }),
    ]);
    expect(result.errors[0].message).toContain('"pause"');
    expect(result.errors[0].message).toContain('Pause');
    expect(result.errors[0].message).toContain('Too small');
  });

  it('reports an edge whose source is not a node', () => {
    const result = validate(journey({ edges: [...journey().edges, edge('ghost', 'end')] }));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'edge_dangling', edgeId: 'ghost-next-end', field: 'source' }),
    ]);
  });

  it('reports an edge leaving by a port the node does not have', () => {
    const result = validate(
      journey({
        nodes: [trigger, welcome, end, node('opened', 'exit')],
        edges: [...journey().edges, edge('welcome', 'opened', 'opened')],
      }),
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'port_unknown',
        edgeId: 'welcome-opened-opened',
        nodeId: 'welcome',
        field: 'sourceHandle',
      }),
    ]);
    expect(result.errors[0].message).toContain('"skipped"');
  });

  it('skips port checks for a node whose config is invalid', () => {
    const result = validate(journey({ nodes: [trigger, { ...welcome, config: {} }, end] }));
    expect(result.errors.map((p) => p.code)).toEqual(['config_invalid']);
    expect(result.warnings).toEqual([]);
  });

  it('reports a second edge leaving the same port', () => {
    const result = validate(
      journey({
        nodes: [trigger, welcome, end, node('other', 'exit')],
        edges: [...journey().edges, edge('welcome', 'other', 'next')],
      }),
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'port_multiple_edges',
        nodeId: 'welcome',
        edgeId: 'welcome-next-other',
      }),
    ]);
  });

  it('reports an edge that leads back into the trigger', () => {
    const result = validate(
      journey({
        nodes: [trigger, welcome, wait('pause')],
        edges: [edge('start', 'welcome'), edge('welcome', 'pause'), edge('pause', 'start')],
      }),
    );
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'edge_into_trigger', edgeId: 'pause-next-start', nodeId: 'start' }),
    ]);
  });

  it('reports a node the trigger cannot reach', () => {
    const result = validate(journey({ nodes: [trigger, welcome, end, node('orphan', 'exit')] }));
    expect(result.errors).toEqual([expect.objectContaining({ code: 'node_unreachable', nodeId: 'orphan' })]);
  });

  it('reports a wait-less cycle on the node that closes it', () => {
    const again = node('again', 'email.send', { template: 'again' });
    const result = validate(
      journey({
        nodes: [trigger, welcome, again],
        edges: [edge('start', 'welcome'), edge('welcome', 'again'), edge('again', 'welcome')],
      }),
    );
    expect(result.errors).toEqual([expect.objectContaining({ code: 'cycle_without_wait', nodeId: 'again' })]);
    expect(result.errors[0].message).toContain('"welcome" → "again" → "welcome"');
  });

  it('counts a self-loop as a wait-less cycle', () => {
    const tag = node('tag', 'contact.update', { addTags: ['looping'] });
    const result = validate(
      journey({ nodes: [trigger, tag], edges: [edge('start', 'tag'), edge('tag', 'tag')] }),
    );
    expect(result.errors).toEqual([expect.objectContaining({ code: 'cycle_without_wait', nodeId: 'tag' })]);
  });

  it('accepts a cycle that passes through a wait', () => {
    const result = validate(
      journey({
        nodes: [trigger, welcome, wait('pause')],
        edges: [edge('start', 'welcome'), edge('welcome', 'pause'), edge('pause', 'welcome')],
      }),
    );
    expect(result).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('finds a wait-less cycle even when another loop through the same node has a wait', () => {
    const again = node('again', 'email.send', { template: 'again' });
    const result = validate(
      journey({
        nodes: [trigger, welcome, again, wait('pause')],
        edges: [
          edge('start', 'welcome'),
          edge('welcome', 'again'),
          edge('again', 'welcome'),
          edge('welcome', 'pause', 'skipped'),
          edge('pause', 'welcome'),
        ],
      }),
    );
    expect(result.errors).toEqual([expect.objectContaining({ code: 'cycle_without_wait', nodeId: 'again' })]);
  });

  it('warns about an unconnected port that exits, but not about send fallbacks, and stays valid', () => {
    const ordered = node('ordered', 'wait.event', {
      event: 'Order Completed',
      timeout: { amount: 1, unit: 'hours' },
    });
    const result = validate(
      journey({
        nodes: [trigger, welcome, ordered, end],
        edges: [edge('start', 'welcome'), edge('welcome', 'ordered'), edge('ordered', 'end', 'matched')],
      }),
    );
    expect(result.valid).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'port_unconnected',
        severity: 'warning',
        nodeId: 'ordered',
        field: 'timeout',
      }),
    ]);
  });

  it('requires a minimum interval when contacts may always re-enter', () => {
    const result = validate(journey({ settings: { reEntry: { mode: 'always' } } }));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'reentry_interval_required', field: 'settings.reEntry.minInterval' }),
    ]);
  });

  it('rejects a fallback time zone that is not an IANA zone', () => {
    const result = validate(journey({ settings: { timezone: 'Mars/Olympus_Mons' } }));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'timezone_invalid', field: 'settings.timezone' }),
    ]);
    expect(validate(journey({ settings: { timezone: 'Europe/Paris' } })).valid).toBe(true);
  });

  it('returns every problem at once', () => {
    const result = validate({
      name: 'Broken',
      nodes: [
        welcome,
        node('pause', 'wait.duration', { duration: { amount: 0, unit: 'days' } }),
        node('mystery', 'acme.unknown'),
      ],
      edges: [edge('welcome', 'ghost'), edge('welcome', 'pause', 'clicked')],
      settings: { reEntry: { mode: 'always' }, timezone: 'Nowhere/Land' },
    });
    expect(result.valid).toBe(false);
    expect(result.errors.map((p) => p.code).sort()).toEqual(
      [
        'config_invalid',
        'edge_dangling',
        'node_type_unknown',
        'port_unknown',
        'reentry_interval_required',
        'timezone_invalid',
        'trigger_missing',
      ].sort(),
    );
    expect(result.warnings.map((p) => [p.code, p.nodeId])).toEqual([['port_unconnected', 'welcome']]);
  });

  it('gives every problem one of the published codes and a sentence', () => {
    const result = validate({
      name: 'Broken',
      nodes: [node('a', 'email.send', {}), node('b', 'nope.nope')],
      edges: [edge('a', 'b')],
    });
    for (const problem of [...result.errors, ...result.warnings]) {
      expect(problemCodes).toContain(problem.code);
      expect(problem.message).toMatch(/^[A-Z"].+\.$/);
    }
  });
});
