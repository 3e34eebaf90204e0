import dagre from '@dagrejs/dagre';

export interface Box {
  id: string;
  width: number;
  height: number;
}

/** Top-to-bottom layered layout of the journey (dagre); returns each node's top-left corner. */
export function autoLayout(
  nodes: Box[],
  edges: { source: string; target: string }[],
): Map<string, { x: number; y: number }> {
  const graph = new dagre.graphlib.Graph();
  // Node boxes hold 20 px above and below their card and 8 px beside it (styles.css), so the cards
  // stand 70 px apart down and 50 px across.
  graph.setGraph({ rankdir: 'TB', nodesep: 42, ranksep: 50, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, { width: node.width, height: node.height });
  for (const edge of edges)
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target)) graph.setEdge(edge.source, edge.target);
  dagre.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const placed = graph.node(node.id);
    positions.set(node.id, {
      x: Math.round(placed.x - node.width / 2),
      y: Math.round(placed.y - node.height / 2),
    });
  }
  return positions;
}
