import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { JourneyGraph } from '../../lib/types';
import { edgeDefaults, toFlowEdge, toFlowNode } from '../model/graph';
import { createHistory, type History, record, redo, replace, undo } from '../model/history';
import { newEdgeId, newNodeId } from '../model/ids';
import { autoLayout } from '../model/layout';
import type { FlowEdge, FlowNode, JourneyNodeData } from './context';

interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

let clipboard: Snapshot | null = null;

/**
 * The canvas graph with undo/redo: every edit is one history step; drags record one step when
 * they end; selection and measuring never do.
 */
export function useGraph(initial: JourneyGraph) {
  const [history, setHistory] = useState<History<Snapshot>>(() =>
    createHistory({ nodes: initial.nodes.map(toFlowNode), edges: initial.edges.map(toFlowEdge) }),
  );
  const dragOrigin = useRef<Snapshot | null>(null);
  const present = useRef(history.present);
  present.current = history.present;
  const { nodes, edges } = history.present;

  const commit = useCallback(
    (change: (s: Snapshot) => Snapshot) => setHistory((h) => record(h, change(h.present))),
    [],
  );
  const live = useCallback(
    (change: (s: Snapshot) => Snapshot) => setHistory((h) => replace(h, change(h.present))),
    [],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add' || c.type === 'replace');
      const apply = (s: Snapshot) => ({ ...s, nodes: applyNodeChanges(changes, s.nodes) });
      (structural ? commit : live)(apply);
    },
    [commit, live],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => {
      const structural = changes.some((c) => c.type === 'remove' || c.type === 'add');
      const apply = (s: Snapshot) => ({ ...s, edges: applyEdgeChanges(changes, s.edges) });
      (structural ? commit : live)(apply);
    },
    [commit, live],
  );

  const onNodeDragStart = useCallback(() => {
    dragOrigin.current = present.current;
  }, []);

  const onNodeDragStop = useCallback(() => {
    const origin = dragOrigin.current;
    dragOrigin.current = null;
    if (!origin) return;
    setHistory((h) =>
      h.present === origin ? h : { past: [...h.past, origin], present: h.present, future: [] },
    );
  }, []);

  /** One edge per port: connecting a used port moves its edge. */
  const connect = useCallback(
    (connection: Connection, replacing?: FlowEdge) =>
      commit((s) => {
        const port = connection.sourceHandle ?? 'next';
        const kept = s.edges.filter(
          (e) =>
            e.id !== replacing?.id &&
            !(e.source === connection.source && (e.sourceHandle ?? 'next') === port),
        );
        const id =
          replacing?.id ??
          newEdgeId(connection.source, port, connection.target, new Set(kept.map((e) => e.id)));
        return {
          ...s,
          edges: [
            ...kept,
            { id, source: connection.source, sourceHandle: port, target: connection.target, ...edgeDefaults },
          ],
        };
      }),
    [commit],
  );

  const addNode = useCallback(
    (
      nodeType: string,
      config: Record<string, unknown>,
      position: { x: number; y: number },
      version?: number,
    ) => {
      let id = '';
      commit((s) => {
        id = newNodeId(nodeType, new Set(s.nodes.map((n) => n.id)));
        const data = { nodeType, ...(version !== undefined ? { version } : {}), config };
        const node: FlowNode = { id, type: 'journey', position, selected: true, data };
        return { ...s, nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] };
      });
      return id;
    },
    [commit],
  );

  const updateNode = useCallback(
    (id: string, patch: Partial<JourneyNodeData>) =>
      commit((s) => ({
        ...s,
        nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)),
      })),
    [commit],
  );

  /** Moves a node to another version of its type, as one undoable step. */
  const upgradeNode = useCallback(
    (id: string, version: number, config: Record<string, unknown>) =>
      commit((s) => ({
        ...s,
        nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, version, config } } : n)),
      })),
    [commit],
  );

  /**
   * Pins the versions publishing chose into every snapshot, without an undo step: undoing an
   * edit made before publishing must not unpin a node and so let it drift to a newer version.
   */
  const pinVersions = useCallback(
    (pins: Map<string, { version: number }>) =>
      setHistory((h) => {
        if (pins.size === 0) return h;
        const pin = (s: Snapshot): Snapshot => ({
          ...s,
          nodes: s.nodes.map((n) => {
            const version = pins.get(n.id)?.version;
            return version === undefined || n.data.version !== undefined
              ? n
              : { ...n, data: { ...n.data, version } };
          }),
        });
        return { past: h.past.map(pin), present: pin(h.present), future: h.future.map(pin) };
      }),
    [],
  );

  const renameNode = useCallback(
    (id: string, next: string) =>
      commit((s) => {
        if (!next || s.nodes.some((n) => n.id === next)) return s;
        return {
          nodes: s.nodes.map((n) => (n.id === id ? { ...n, id: next } : n)),
          edges: s.edges.map((e) => ({
            ...e,
            source: e.source === id ? next : e.source,
            target: e.target === id ? next : e.target,
          })),
        };
      }),
    [commit],
  );

  const deleteSelection = useCallback(
    () =>
      commit((s) => {
        const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
        const nodesLeft = s.nodes.filter((n) => !gone.has(n.id));
        const edgesLeft = s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
        if (nodesLeft.length === s.nodes.length && edgesLeft.length === s.edges.length) return s;
        return { nodes: nodesLeft, edges: edgesLeft };
      }),
    [commit],
  );

  const copy = useCallback(() => {
    const picked = nodes.filter((n) => n.selected);
    const ids = new Set(picked.map((n) => n.id));
    clipboard = { nodes: picked, edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
    return picked.length;
  }, [nodes, edges]);

  const paste = useCallback(
    () =>
      commit((s) => {
        if (!clipboard?.nodes.length) return s;
        const taken = new Set(s.nodes.map((n) => n.id));
        const renamed = new Map<string, string>();
        const pasted = clipboard.nodes.map((n) => {
          const id = newNodeId(n.data.nodeType, taken);
          taken.add(id);
          renamed.set(n.id, id);
          return {
            ...n,
            id,
            selected: true,
            position: { x: n.position.x + 40, y: n.position.y + 40 },
            data: structuredClone(n.data),
          };
        });
        const edgeIds = new Set(s.edges.map((e) => e.id));
        const pastedEdges = clipboard.edges.map((e) => {
          const source = renamed.get(e.source)!;
          const target = renamed.get(e.target)!;
          const id = newEdgeId(source, e.sourceHandle ?? 'next', target, edgeIds);
          edgeIds.add(id);
          return { ...e, id, source, target, selected: false };
        });
        return {
          nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
          edges: [...s.edges, ...pastedEdges],
        };
      }),
    [commit],
  );

  const layout = useCallback(
    () =>
      commit((s) => {
        const boxes = s.nodes.map((n) => ({
          id: n.id,
          width: n.measured?.width ?? 248,
          height: n.measured?.height ?? 130,
        }));
        const positions = autoLayout(boxes, s.edges);
        return { ...s, nodes: s.nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) };
      }),
    [commit],
  );

  const selectOnly = useCallback(
    (id: string | null) =>
      live((s) => ({
        nodes: s.nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
        edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
      })),
    [live],
  );

  const selectAll = useCallback(
    () => live((s) => ({ ...s, nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) })),
    [live],
  );

  return useMemo(
    () => ({
      nodes,
      edges,
      canUndo: history.past.length > 0,
      canRedo: history.future.length > 0,
      undo: () => setHistory(undo),
      redo: () => setHistory(redo),
      onNodesChange,
      onEdgesChange,
      onNodeDragStart,
      onNodeDragStop,
      connect,
      addNode,
      updateNode,
      upgradeNode,
      pinVersions,
      renameNode,
      deleteSelection,
      copy,
      paste,
      layout,
      selectOnly,
      selectAll,
    }),
    [
      nodes,
      edges,
      history.past.length,
      history.future.length,
      onNodesChange,
      onEdgesChange,
      onNodeDragStart,
      onNodeDragStop,
      connect,
      addNode,
      updateNode,
      upgradeNode,
      pinVersions,
      renameNode,
      deleteSelection,
      copy,
      paste,
      layout,
      selectOnly,
      selectAll,
    ],
  );
}

export type GraphApi = ReturnType<typeof useGraph>;
