import { useReactFlow } from '@xyflow/react';
import { useCallback } from 'react';
import { defaultValue } from '../../lib/schema';
import type { NodeType } from '../../lib/types';
import type { GraphApi } from './useGraph';

/** Adding a node where it overlaps nothing, and bringing a node into view. */
export function useCanvasActions(graph: GraphApi, onSelection: () => void) {
  const flow = useReactFlow();

  /** Below the selected node, else the middle of the view; moved right until it overlaps nothing. */
  const placeNew = useCallback((): { x: number; y: number } => {
    const selected = graph.nodes.find((n) => n.selected);
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    const center = pane
      ? flow.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 })
      : { x: 0, y: 0 };
    const spot = selected
      ? { x: selected.position.x, y: selected.position.y + (selected.measured?.height ?? 110) + 60 }
      : { x: center.x - 120, y: center.y - 50 };
    const overlaps = (x: number, y: number) =>
      graph.nodes.some(
        (n) =>
          Math.abs(n.position.x - x) < 260 && Math.abs(n.position.y - y) < (n.measured?.height ?? 110) + 20,
      );
    while (overlaps(spot.x, spot.y)) spot.x += 280;
    return spot;
  }, [graph.nodes, flow]);

  const addNode = useCallback(
    (type: NodeType, position?: { x: number; y: number }) => {
      const config = (defaultValue(type.configSchema) ?? {}) as Record<string, unknown>;
      graph.addNode(type.type, config, position ?? placeNew(), type.version);
      onSelection();
    },
    [graph, placeNew, onSelection],
  );

  const focusNode = useCallback(
    (id: string) => {
      const node = graph.nodes.find((n) => n.id === id);
      if (!node) return;
      graph.selectOnly(id);
      onSelection();
      void flow.setCenter(node.position.x + 120, node.position.y + 60, {
        zoom: Math.max(flow.getZoom(), 0.8),
        duration: 300,
      });
    },
    [graph, flow, onSelection],
  );

  return { addNode, focusNode };
}
