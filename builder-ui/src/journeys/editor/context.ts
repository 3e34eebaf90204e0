import type { ReactFlowState } from '@xyflow/react';
import { createContext, useContext } from 'react';
import { KeyedStore } from '../../lib/store';
import type { NodeCounts, NodeType, Problem } from '../../lib/types';
import { indexTypes, type TypeIndex } from '../model/versions';

export type { FlowEdge, FlowNode, JourneyNodeData } from '../model/graph';

/** A node's mark on the canvas: a version diff (added, changed) or the timing heat (hot, cool). */
export type DiffMark = 'added' | 'changed' | 'hot' | 'cool';

export interface SimulationMark {
  order: number;
  atMs: number;
  port: string | null;
}

/** What every node on the canvas reads without props: types, and the stores it subscribes to. */
export interface EditorContextValue {
  nodeTypes: Map<string, NodeType>;
  /** Every installed version, for nodes pinned to an older one. */
  typeIndex: TypeIndex;
  counts: KeyedStore<NodeCounts>;
  problems: KeyedStore<Problem[]>;
  simulation: KeyedStore<SimulationMark[]>;
  /** Nodes added or changed in the version diff being shown. */
  diff: KeyedStore<DiffMark>;
  showCounts: boolean;
  readOnly: boolean;
}

export const EditorContext = createContext<EditorContextValue>({
  nodeTypes: new Map(),
  typeIndex: indexTypes([]),
  counts: new KeyedStore(),
  problems: new KeyedStore(),
  simulation: new KeyedStore(),
  diff: new KeyedStore(),
  showCounts: false,
  readOnly: false,
});

/**
 * Below this zoom a card's text is too small to read (a 13 px title under 6 px), so the canvas
 * draws cards in outline: the kind's colour, the title in a large type, the ports' handles. Cards
 * outside the view are drawn in outline too, so a zoom or pan draws in full only what comes into
 * view. An outline card has the size of the full card, so edges, layout and fitting see the same
 * graph.
 */
const OUTLINE_BELOW_ZOOM = 0.45;
/** How far outside the view (in screen pixels) a card is still drawn in full. */
const FULL_MARGIN_PX = 200;

/**
 * A store selector: whether node `id` is drawn in full, being in view (or near it) at a readable
 * zoom. Before the canvas knows its size every card counts as in view.
 */
export function drawnInFull(id: string): (s: ReactFlowState) => boolean {
  return (s) => {
    const [panX, panY, zoom] = s.transform;
    if (zoom < OUTLINE_BELOW_ZOOM) return false;
    const node = s.nodeLookup.get(id);
    if (!node || !s.width || !s.height) return true;
    const left = node.internals.positionAbsolute.x * zoom + panX;
    const top = node.internals.positionAbsolute.y * zoom + panY;
    const right = left + (node.measured.width ?? 0) * zoom;
    const bottom = top + (node.measured.height ?? 0) * zoom;
    return (
      right >= -FULL_MARGIN_PX &&
      bottom >= -FULL_MARGIN_PX &&
      left <= s.width + FULL_MARGIN_PX &&
      top <= s.height + FULL_MARGIN_PX
    );
  };
}

export function useEditor(): EditorContextValue {
  return useContext(EditorContext);
}

/** Latest version of each node type, keyed by type: what the palette adds. */
export function latestTypes(types: NodeType[]): Map<string, NodeType> {
  return indexTypes(types).latest;
}
