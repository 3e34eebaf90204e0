import {
  Background,
  type Connection,
  Controls,
  getViewportForBounds,
  MiniMap,
  type Node,
  ReactFlow,
  SelectionMode,
  useReactFlow,
  type Viewport,
} from '@xyflow/react';
import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatOffset } from '../../lib/format';
import type { NodeType, SimulationResult, ValidationResult } from '../../lib/types';
import type { FlowEdge, FlowNode } from './context';
import { JourneyNode } from './JourneyNode';
import { ProblemsList } from './panels/ProblemsList';
import type { GraphApi } from './useGraph';

const flowNodeTypes = { journey: JourneyNode };
// Module-level, so React Flow's store (which copies these props on every change of identity) and
// its key listeners see the same values on every render.
const multiSelectionKeys = ['Meta', 'Control'];
const fitViewOptions = { padding: 0.15, maxZoom: 1 };
const minZoom = 0.1;
const proOptions = { hideAttribution: true };
/** A card's box (styles.css: the card and the room around it), typical height, for fitting the journey before it is drawn. */
const CARD = { width: 248, height: 113 };

/**
 * The viewport that fits the journey into a canvas of this size, as `fitView` will once the cards
 * are measured: known before the first render, the cards are drawn at the zoom they are seen at
 * (in outline when it is small) instead of at 100 % and again after fitting.
 */
function openingViewport(nodes: FlowNode[], width: number, height: number): Viewport {
  if (nodes.length === 0 || width === 0 || height === 0) return { x: 0, y: 0, zoom: 1 };
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  const bounds = { x, y, width: Math.max(...xs) - x + CARD.width, height: Math.max(...ys) - y + CARD.height };
  return getViewportForBounds(bounds, width, height, minZoom, fitViewOptions.maxZoom, fitViewOptions.padding);
}

function minimapColor(kind: string | undefined): string {
  if (kind === 'trigger') return '#7c3aed';
  if (kind === 'control') return '#d97706';
  return '#2563eb';
}

/**
 * The React Flow canvas with drop-to-add, the problem list and the simulated path's legend.
 * Memoized, with callbacks that keep their identity: a re-render of the editor for anything else
 * (the form suggestions arriving, the save state) must not hand React Flow new props, which it
 * copies into its store and so re-runs every node's and handle's store selector, or re-colour
 * all of the minimap's nodes.
 */
export const JourneyCanvas = memo(function JourneyCanvas(props: {
  graph: GraphApi;
  typeMap: Map<string, NodeType>;
  readOnly: boolean;
  validation: ValidationResult | null;
  validating: boolean;
  simulation: SimulationResult | null;
  pathEdges: Set<string>;
  onClearSimulation: () => void;
  onAdd: (type: NodeType, position: { x: number; y: number }) => void;
  onFocus: (nodeId: string) => void;
}) {
  const { graph, typeMap, readOnly, validation, simulation, pathEdges } = props;
  const flow = useReactFlow();
  const latest = useRef(graph);
  latest.current = graph;
  const canvas = useRef<HTMLElement>(null);
  // Measured before the first paint: React Flow is drawn from the second render, at this viewport.
  const [opening, setOpening] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    const box = canvas.current!.getBoundingClientRect();
    setOpening(openingViewport(latest.current.nodes, box.width, box.height));
  }, []);
  const onConnect = useCallback((c: Connection) => latest.current.connect(c), []);
  const onReconnect = useCallback((old: FlowEdge, c: Connection) => latest.current.connect(c, old), []);
  const isValidConnection = useCallback(
    (c: FlowEdge | Connection) =>
      c.source !== c.target &&
      typeMap.get(latest.current.nodes.find((n) => n.id === c.target)?.data.nodeType ?? '')?.kind !==
        'trigger',
    [typeMap],
  );
  const nodeColor = useCallback(
    (n: Node) => minimapColor(typeMap.get((n.data as FlowNode['data']).nodeType)?.kind),
    [typeMap],
  );

  const errorEdges = useMemo(
    () => new Set((validation?.errors ?? []).filter((p) => p.edgeId).map((p) => p.edgeId!)),
    [validation],
  );
  const shownEdges = useMemo(
    () =>
      graph.edges.map((e) => {
        const className = [pathEdges.has(e.id) ? 'on-path' : '', errorEdges.has(e.id) ? 'has-errors' : '']
          .filter(Boolean)
          .join(' ');
        return className === (e.className ?? '') ? e : { ...e, className, animated: pathEdges.has(e.id) };
      }),
    [graph.edges, pathEdges, errorEdges],
  );

  return (
    <main
      ref={canvas}
      className="canvas"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('application/x-wayline-node')) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
        }
      }}
      onDrop={(e) => {
        const type = typeMap.get(e.dataTransfer.getData('application/x-wayline-node'));
        if (!type || readOnly) return;
        e.preventDefault();
        const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
        props.onAdd(type, { x: at.x - 120, y: at.y - 30 });
      }}
    >
      {opening && (
        <ReactFlow
          nodes={graph.nodes}
          edges={shownEdges}
          nodeTypes={flowNodeTypes}
          onNodesChange={graph.onNodesChange}
          onEdgesChange={graph.onEdgesChange}
          onNodeDragStart={graph.onNodeDragStart}
          onNodeDragStop={graph.onNodeDragStop}
          onConnect={onConnect}
          onReconnect={onReconnect}
          isValidConnection={isValidConnection}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesReconnectable={!readOnly}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={multiSelectionKeys}
          selectionMode={SelectionMode.Partial}
          defaultViewport={opening}
          fitView
          fitViewOptions={fitViewOptions}
          minZoom={minZoom}
          maxZoom={2}
          proOptions={proOptions}
        >
          <Background gap={20} size={1} />
          <MiniMap pannable zoomable nodeStrokeWidth={3} nodeColor={nodeColor} />
          <Controls position="top-left" showInteractive={false} fitViewOptions={fitViewOptions} />
        </ReactFlow>
      )}
      <ProblemsList result={validation} pending={props.validating} onFocus={props.onFocus} />
      {simulation && (
        <div className="sim-legend">
          Simulated path: {simulation.steps.length} steps over {formatOffset(simulation.durationMs)} —{' '}
          {simulation.status}
          <button type="button" className="link-button" onClick={props.onClearSimulation}>
            Clear
          </button>
        </div>
      )}
    </main>
  );
});
