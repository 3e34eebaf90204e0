import { type Edge, MarkerType, type Node } from '@xyflow/react';
import type { GraphEdge, GraphNode, JourneyGraph } from '../../lib/types';

export interface JourneyNodeData extends Record<string, unknown> {
  nodeType: string;
  version?: number;
  config: Record<string, unknown>;
  label?: string;
}

export type FlowNode = Node<JourneyNodeData, 'journey'>;
export type FlowEdge = Edge;

export const edgeDefaults = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };

export function toFlowNode(node: GraphNode, index: number): FlowNode {
  return {
    id: node.id,
    type: 'journey',
    position: node.position ?? { x: 250 * (index % 4), y: 160 * Math.floor(index / 4) },
    data: { nodeType: node.type, version: node.version, config: node.config ?? {}, label: node.label },
  };
}

export function toFlowEdge(edge: GraphEdge): FlowEdge {
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle ?? 'next',
    target: edge.target,
    ...edgeDefaults,
  };
}

export function fromFlow(nodes: FlowNode[], edges: FlowEdge[]): Pick<JourneyGraph, 'nodes' | 'edges'> {
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.nodeType,
      ...(n.data.version !== undefined ? { version: n.data.version } : {}),
      config: n.data.config,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      ...(n.data.label ? { label: n.data.label } : {}),
    })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      sourceHandle: e.sourceHandle ?? 'next',
      target: e.target,
    })),
  };
}
