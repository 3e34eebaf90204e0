import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileJourney, JourneyInvalid } from '../../../../engine/automation/journeys/compile';
import type { JourneyEdge, JourneyGraphInput } from '../../../../engine/automation/journeys/model';
import { PLAN_VERSION } from '../../../../engine/automation/journeys/plan';
import { createRegistry } from '../../../../engine/automation/nodes/index';
import { defineNode, nextPort } from '../../../../engine/sdk/define-node';

const registry = createRegistry();

function edge(source: string, target: string, sourceHandle?: string | null): JourneyEdge {
  return { id: `${source}-${sourceHandle ?? 'next'}-${target}`, source, target, sourceHandle };
}

/** Cart abandoned → reminder email → wait for the order (matched → goal, timeout unconnected). */
function cartJourney(): JourneyGraphInput {
  return {
    name: 'Cart',
    nodes: [
      { id: 'start', type: 'trigger.event', config: { event: 'Cart Abandoned' }, position: { x: 250, y: 0 } },
      {
        id: 'remind',
        type: 'email.send',
        config: { template: 'cart' },
        label: 'Reminder',
        position: { x: 250, y: 150 },
      },
      {
        id: 'ordered',
        type: 'wait.event',
        config: { event: 'Order Completed', timeout: { amount: 1, unit: 'days' } },
        position: { x: 250, y: 300 },
      },
      { id: 'won', type: 'goal', position: { x: 500, y: 450 } },
    ],
    edges: [edge('start', 'remind'), edge('remind', 'ordered', null), edge('ordered', 'won', 'matched')],
  };
}

function compile(graph: unknown) {
  return compileJourney(graph, registry);
}

describe('compileJourney', () => {
  it('builds a plan keyed by node id with the trigger and plan version', () => {
    const { plan, graph } = compile(cartJourney());
    expect(plan.planVersion).toBe(PLAN_VERSION);
    expect(plan.trigger).toBe('start');
    expect(Object.keys(plan.nodes).sort()).toEqual(['won', 'ordered', 'remind', 'start'].sort());
    expect(plan.nodes.remind).toMatchObject({ id: 'remind', type: 'email.send', kind: 'action' });
    expect(plan.nodes.ordered.kind).toBe('control');
    expect(plan.nodes.start.kind).toBe('trigger');
    expect(graph.name).toBe('Cart');
  });

  it("sends a send node's unconnected skipped and error ports to its next target", () => {
    const { plan } = compile(cartJourney());
    expect(plan.nodes.remind.next).toEqual({ next: 'ordered', skipped: 'ordered', error: 'ordered' });
  });

  it('keeps a connected skipped port on its own target', () => {
    const graph = cartJourney();
    graph.nodes.push({ id: 'log-skip', type: 'exit' });
    graph.edges.push(edge('remind', 'log-skip', 'skipped'));
    const { plan } = compile(graph);
    expect(plan.nodes.remind.next).toEqual({ next: 'ordered', skipped: 'log-skip', error: 'ordered' });
  });

  it('ends the run (null) at an unconnected regular port and at a send whose next is unconnected', () => {
    const graph = cartJourney();
    graph.edges = graph.edges.filter((e) => e.source !== 'remind');
    graph.nodes.push({
      id: 'orphan-wait',
      type: 'wait.duration',
      config: { duration: { amount: 1, unit: 'hours' } },
    });
    graph.edges.push(edge('remind', 'orphan-wait', 'error'), edge('orphan-wait', 'ordered'));
    const { plan } = compile(graph);
    expect(plan.nodes.ordered.next).toEqual({ matched: 'won', timeout: null });
    expect(plan.nodes.remind.next).toEqual({ next: null, skipped: null, error: 'orphan-wait' });
    expect(plan.nodes.won.next).toEqual({});
  });

  it('stores the parsed config with schema defaults applied', () => {
    const { plan } = compile(cartJourney());
    expect(plan.nodes.remind.config).toEqual({ template: 'cart', transactional: false });
    expect(plan.nodes.ordered.config).toEqual({
      event: 'Order Completed',
      timeout: { amount: 1, unit: 'days' },
      onlyWhileWaiting: false,
    });
    expect(plan.nodes.won.config).toEqual({});
    expect(plan.settings).toEqual({ reEntry: { mode: 'never' }, exitCriteria: [] });
  });

  it('uses a pinned version and resolves an unpinned node to the latest one', () => {
    const ping = (version: number) =>
      defineNode({
        type: 'acme.ping',
        version,
        kind: 'action',
        title: 'Ping',
        category: 'Custom',
        config: z.object({ loud: z.boolean().default(version === 2) }),
        ports: [nextPort],
        execute: async () => undefined,
      });
    const custom = createRegistry([
      { definition: ping(1), source: 'acme' },
      { definition: ping(2), source: 'acme' },
    ]);
    const graph = cartJourney();
    graph.nodes.push({ id: 'old', type: 'acme.ping', version: 1 }, { id: 'new', type: 'acme.ping' });
    graph.edges = [
      edge('start', 'old'),
      edge('old', 'new'),
      edge('new', 'remind'),
      ...graph.edges.filter((e) => e.source !== 'start'),
    ];
    const { plan } = compileJourney(graph, custom);
    expect(plan.nodes.old).toMatchObject({ version: 1, config: { loud: false } });
    expect(plan.nodes.new).toMatchObject({ version: 2, config: { loud: true } });
    expect(plan.nodes.remind.version).toBe(1);
  });

  it('hashes the same when only positions, labels, names, edge ids or ordering change', () => {
    const original = compile(cartJourney()).plan.contentHash;
    const moved = cartJourney();
    moved.name = 'Cart (copy)';
    moved.nodes = moved.nodes
      .map((n) => ({ ...n, position: { x: 0, y: 0 }, label: `renamed ${n.id}` }))
      .reverse();
    moved.edges = moved.edges
      .map((e) => ({ ...e, id: `x-${e.id}`, sourceHandle: e.sourceHandle ?? 'next' }))
      .reverse();
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    expect(compile(moved).plan.contentHash).toBe(original);
  });

  it('hashes the same whether a default is written out or left implicit', () => {
    const explicit = cartJourney();
    explicit.nodes[1] = { ...explicit.nodes[1], config: { transactional: false, template: 'cart' } };
    expect(compile(explicit).plan.contentHash).toBe(compile(cartJourney()).plan.contentHash);
  });

  it('hashes differently when a config, a connection or a setting changes', () => {
    const original = compile(cartJourney()).plan.contentHash;
    const configChanged = cartJourney();
    configChanged.nodes[1] = { ...configChanged.nodes[1], config: { template: 'cart-v2' } };
    const rewired = cartJourney();
    rewired.edges.push(edge('ordered', 'won', 'timeout'));
    const resettled = cartJourney();
    resettled.settings = { timezone: 'Europe/Paris' };
    const hashes = [configChanged, rewired, resettled].map((g) => compile(g).plan.contentHash);
    expect(new Set([original, ...hashes]).size).toBe(4);
  });

  it('throws JourneyInvalid carrying every error and no warning', () => {
    const graph = cartJourney();
    graph.nodes[1] = { ...graph.nodes[1], config: {} };
    graph.nodes.push({ id: 'stray', type: 'exit' });
    graph.settings = { reEntry: { mode: 'always' } };
    let thrown: unknown;
    try {
      compile(graph);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JourneyInvalid);
    const invalid = thrown as JourneyInvalid;
    expect(invalid.code).toBe('journey_invalid');
    expect(invalid.problems.map((p) => [p.code, p.nodeId ?? p.field])).toEqual([
      ['config_invalid', 'remind'],
      ['node_unreachable', 'stray'],
      ['reentry_interval_required', 'settings.reEntry.minInterval'],
    ]);
    expect(invalid.problems.every((p) => p.severity === 'error')).toBe(true);
    expect(invalid.message).toContain('3 problems');
  });
});
