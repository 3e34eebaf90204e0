import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileJourney, JourneyInvalid } from '../../engine/automation/journeys/compile';
import { journeyTemplates } from '../../engine/automation/journeys/templates';
import { validateJourney } from '../../engine/automation/journeys/validate';
import { createRegistry } from '../../engine/automation/nodes';

const registry = createRegistry();
const types = registry.all().map((d) => d.type);
const seed = 20261130;

type Graph = { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[]; settings?: unknown };

/** Values a marketer, a script or a fuzzer might put anywhere in a graph. */
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e308, Number.NaN),
  fc.string(),
  fc.constantFrom('', '\u0000', '\ud800', 'P1D', 'PT0S', '-P1D', '25:99', '{{ contact.email', 'next', 'true'),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
);

/** One change to a graph: the ways a hand-edited or half-built journey goes wrong. */
type Mutation = (graph: Graph, pick: number, value: unknown) => void;
const at = <T>(list: T[], pick: number) => list[Math.abs(pick) % Math.max(list.length, 1)];
const mutations: Mutation[] = [
  (g, pick) => g.nodes.splice(Math.abs(pick) % Math.max(g.nodes.length, 1), 1),
  (g, pick) => g.edges.splice(Math.abs(pick) % Math.max(g.edges.length, 1), 1),
  (g, pick) => {
    const edge = at(g.edges, pick);
    if (edge) edge.target = (at(g.nodes, pick * 7 + 3)?.id as string) ?? 'missing';
  },
  (g, pick, value) => {
    const edge = at(g.edges, pick);
    if (edge)
      edge.sourceHandle =
        typeof value === 'string'
          ? value
          : at(['true', 'false', 'timeout', 'error', 'skipped', 'nope', null], pick);
  },
  (g, pick) => {
    const node = at(g.nodes, pick);
    if (node) node.type = at([...types, 'unknown.node', ''], pick * 13);
  },
  (g, pick, value) => {
    const node = at(g.nodes, pick);
    if (node?.config && typeof node.config === 'object') {
      const keys = Object.keys(node.config as object);
      (node.config as Record<string, unknown>)[at(keys, pick * 3) ?? 'extra'] = value;
    }
  },
  (g, pick, value) => {
    const node = at(g.nodes, pick);
    if (node) node.config = value;
  },
  (g, pick) => {
    const a = at(g.nodes, pick);
    const b = at(g.nodes, pick * 5 + 1);
    if (a && b) g.edges.push({ id: `x${g.edges.length}`, source: b.id, target: a.id });
  },
  (g, pick) => {
    const node = at(g.nodes, pick);
    if (node) g.nodes.push({ ...node });
  },
  (g, pick, value) => {
    const node = at(g.nodes, pick);
    if (node) node.version = value;
  },
  (g, _pick, value) => {
    g.settings = value;
  },
  (g, pick, value) => {
    const node = at(g.nodes, pick);
    if (node) node.id = value;
  },
];

/** Graphs near the shipped templates (most of them broken in one to four ways), and some pure noise. */
const graphs = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        template: fc.integer({ min: 0, max: journeyTemplates.length - 1 }),
        changes: fc.array(fc.tuple(fc.integer({ min: 0, max: mutations.length - 1 }), fc.integer(), junk), {
          minLength: 0,
          maxLength: 4,
        }),
      })
      .map(({ template, changes }) => {
        const graph = structuredClone(journeyTemplates[template].graph) as unknown as Graph;
        for (const [kind, pick, value] of changes) mutations[kind](graph, pick, value);
        return graph as unknown;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      nodes: fc.array(
        fc.record({ id: fc.string({ maxLength: 6 }), type: fc.constantFrom(...types, 'x'), config: junk }),
        { maxLength: 6 },
      ),
      edges: fc.array(
        fc.record({
          id: fc.string({ maxLength: 4 }),
          source: fc.string({ maxLength: 6 }),
          target: fc.string({ maxLength: 6 }),
        }),
        { maxLength: 6 },
      ),
      settings: junk,
    }),
  },
  { weight: 1, arbitrary: junk },
);

describe('journey graph fuzzing (10,000 generated graphs, fixed seed)', () => {
  it('validates and compiles every graph without throwing, and compiles only what validates', () => {
    let compiled = 0;
    fc.assert(
      fc.property(graphs, (graph) => {
        const result = validateJourney(graph, registry);
        expect(typeof result.valid).toBe('boolean');
        if (!result.valid) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const problem of result.errors) expect(typeof problem.message).toBe('string');
          expect(() => compileJourney(graph, registry)).toThrow(JourneyInvalid);
          return;
        }
        const { plan } = compileJourney(graph, registry);
        compiled++;
        // A plan only points at nodes it holds, and starts at one of them.
        expect(plan.nodes[plan.trigger]).toBeDefined();
        for (const node of Object.values(plan.nodes))
          for (const target of Object.values(node.next))
            if (target !== null) expect(plan.nodes[target]).toBeDefined();
      }),
      { seed, numRuns: 10_000 },
    );
    // The generator must reach the compiler too, or the property says little.
    expect(compiled).toBeGreaterThan(500);
  });
});
