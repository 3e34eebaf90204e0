import { describe, expect, it } from 'vitest';
import { fromFlow, toFlowNode } from '../../builder-ui/src/journeys/model/graph';
import {
  describeConfigProblem,
  indexTypes,
  newPins,
  pinNodes,
  startingConfig,
  typeOfNode,
  upgradeFieldErrors,
  versionStatus,
} from '../../builder-ui/src/journeys/model/versions';
import type { JourneyGraph, NodeType } from '../../builder-ui/src/lib/types';
import { createRegistry } from '../../engine/automation/nodes';
import { defineNode, nextPort, z } from '../../engine/sdk';

const greeting = (version: number, config: z.ZodObject) =>
  defineNode({
    type: 'test.greeting',
    version,
    kind: 'action',
    title: 'Greeting',
    category: 'Tests',
    config,
    ports: [nextPort],
    async execute() {
      return {};
    },
  });

/** The node types as `GET /v1/node-types` serves them, with two versions of one custom type. */
const types = createRegistry([
  { definition: greeting(1, z.object({ text: z.string(), legacy: z.string().optional() })), source: 'v1' },
  {
    definition: greeting(
      2,
      z.object({ text: z.string(), tone: z.enum(['friendly', 'formal']), emoji: z.boolean().default(true) }),
    ),
    source: 'v2',
  },
]).describe() as unknown as NodeType[];
const index = indexTypes(types);
const v2Schema = index.byKey.get('test.greeting@2')!.configSchema;

describe('node versions in the builder', () => {
  it('tells a current, an outdated and a missing pinned version apart', () => {
    expect(versionStatus(index, 'test.greeting', 2).kind).toBe('current');
    expect(versionStatus(index, 'test.greeting', undefined).kind).toBe('current');
    const outdated = versionStatus(index, 'test.greeting', 1);
    expect(outdated).toMatchObject({ kind: 'outdated', type: { version: 1 }, latest: { version: 2 } });
    expect(versionStatus(index, 'test.greeting', 7)).toMatchObject({
      kind: 'missing',
      version: 7,
      installed: [1, 2],
    });
    expect(versionStatus(index, 'nope.nothing', 1).kind).toBe('unknown-type');
    expect(versionStatus(index, 'sms.send', 1).kind).toBe('current');
  });

  it('uses the pinned version’s schema for the form, and the palette only the latest', () => {
    expect(Object.keys(typeOfNode(index, 'test.greeting', 1)!.configSchema.properties!)).not.toContain(
      'tone',
    );
    expect(Object.keys(typeOfNode(index, 'test.greeting')!.configSchema.properties!)).toContain('tone');
    expect(typeOfNode(index, 'test.greeting', 7)).toBeUndefined();
    expect(index.latest.get('test.greeting')!.version).toBe(2);
    expect(types.filter((t) => t.latest && t.type === 'test.greeting').map((t) => t.version)).toEqual([2]);
  });

  it('starts the upgrade from the kept values and the new defaults, without dropped fields', () => {
    expect(startingConfig({ text: 'Hi', legacy: 'x' }, v2Schema)).toEqual({ text: 'Hi', emoji: true });
  });

  it('turns the server’s config problems into form messages by field', () => {
    const problems = [
      {
        code: 'config_invalid' as const,
        field: 'tone',
        message: '"tone" is not valid for version 2: Invalid option.',
      },
      {
        code: 'config_invalid' as const,
        field: 'text',
        message: '"text" is not valid for version 2: Too short.',
      },
      { code: 'port_removed' as const, field: 'edges.e1', message: 'Edge "e1" leaves by port "x".' },
    ];
    const config = { text: '' };
    expect(upgradeFieldErrors(problems, config)).toEqual(
      new Map([
        ['tone', 'Required'],
        ['text', 'Too short'],
      ]),
    );
    expect(describeConfigProblem(problems[0], config, 2)).toBe('“Tone” is required by version 2.');
    expect(describeConfigProblem(problems[1], config, 2)).toBe('“Text”: Too short.');
  });

  it('writes an upgraded or newly pinned draft exactly as the canvas serialises it, so autosave sees no change', () => {
    const draft: JourneyGraph = {
      name: 'J',
      nodes: [
        { id: 'start', type: 'trigger.manual', config: {}, position: { x: 0, y: 0 } },
        {
          id: 'greet',
          type: 'test.greeting',
          version: 1,
          config: { text: 'Hi' },
          position: { x: 0, y: 100 },
          label: 'Hello',
        },
      ],
      edges: [],
      settings: {},
    };
    const canvas = (graph: JourneyGraph) =>
      JSON.stringify({ ...graph, ...fromFlow(graph.nodes.map(toFlowNode), []) });
    const saved = JSON.stringify(draft);
    expect(canvas(draft)).toBe(saved);

    const upgraded = pinNodes(
      draft,
      new Map([['greet', { version: 2, config: { text: 'Hi', tone: 'formal' } }]]),
    );
    expect(upgraded.nodes[1]).toEqual({
      ...draft.nodes[1],
      version: 2,
      config: { text: 'Hi', tone: 'formal' },
    });
    expect(JSON.stringify(upgraded)).toBe(canvas(upgraded));

    const published = pinNodes(draft, new Map([['start', { version: 1 }]]));
    expect(published.nodes[0].version).toBe(1);
    expect(JSON.stringify(published)).toBe(canvas(published));
  });

  it('pins only the nodes the local draft left open after publishing', () => {
    const local = [
      { id: 'a', type: 'exit', config: {} },
      { id: 'b', type: 'test.greeting', version: 1, config: {} },
      { id: 'c', type: 'exit', config: {} },
    ];
    const server = [
      { id: 'a', type: 'exit', version: 1, config: {} },
      { id: 'b', type: 'test.greeting', version: 2, config: {} },
    ];
    expect(newPins(local, server)).toEqual(new Map([['a', { version: 1 }]]));
  });
});
