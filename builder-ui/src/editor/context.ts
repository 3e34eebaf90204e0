import type { Edge, Node } from '@xyflow/react';
import { createContext, useContext } from 'react';
import { KeyedStore } from '../lib/store';
import type { NodeCounts, NodeType, Problem } from '../lib/types';

export interface JourneyNodeData extends Record<string, unknown> {
  nodeType: string;
  version?: number;
  config: Record<string, unknown>;
  label?: string;
}

export type FlowNode = Node<JourneyNodeData, 'journey'>;
export type FlowEdge = Edge;

export interface SimulationMark {
  order: number;
  atMs: number;
  port: string | null;
}

/** What every node on the canvas reads without props: types, and the stores it subscribes to. */
export interface EditorContextValue {
  nodeTypes: Map<string, NodeType>;
  counts: KeyedStore<NodeCounts>;
  problems: KeyedStore<Problem[]>;
  simulation: KeyedStore<SimulationMark[]>;
  showCounts: boolean;
  readOnly: boolean;
}

export const EditorContext = createContext<EditorContextValue>({
  nodeTypes: new Map(),
  counts: new KeyedStore(),
  problems: new KeyedStore(),
  simulation: new KeyedStore(),
  showCounts: false,
  readOnly: false,
});

export function useEditor(): EditorContextValue {
  return useContext(EditorContext);
}

/** Latest version of each node type, keyed by type. */
export function latestTypes(types: NodeType[]): Map<string, NodeType> {
  const map = new Map<string, NodeType>();
  for (const t of types) {
    const known = map.get(t.type);
    if (!known || t.version > known.version) map.set(t.type, t);
  }
  return map;
}

export function typeFor(types: Map<string, NodeType>, all: NodeType[], type: string, version?: number) {
  if (version === undefined) return types.get(type);
  return all.find((t) => t.type === type && t.version === version) ?? types.get(type);
}
