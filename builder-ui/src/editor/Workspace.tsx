import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  SelectionMode,
  useReactFlow,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Pickers } from '../components/SchemaForm';
import { ApiError, api, optional } from '../lib/api';
import { formatOffset, percent } from '../lib/format';
import { defaultValue } from '../lib/schema';
import { KeyedStore, sameJson } from '../lib/store';
import type {
  Journey,
  JourneyCounts,
  JourneyGraph,
  NodeCounts,
  NodeType,
  Problem,
  SimulationResult,
  UpgradeCheck,
  ValidationResult,
} from '../lib/types';
import { indexTypes, newPins, pinNodes } from '../lib/versions';
import {
  EditorContext,
  type EditorContextValue,
  type FlowNode,
  latestTypes,
  type SimulationMark,
} from './context';
import { fromFlow } from './graph';
import { JourneyNode } from './JourneyNode';
import { NodePanel } from './NodePanel';
import { Palette } from './Palette';
import { ProblemsList } from './ProblemsList';
import { SettingsPanel } from './SettingsPanel';
import { SimulatePanel } from './SimulatePanel';
import { useGraph } from './useGraph';
import { VersionsPanel } from './VersionsPanel';

const flowNodeTypes = { journey: JourneyNode };
const COUNTS_EVERY_MS = 3000;

export interface WorkspaceProps {
  journey: Journey;
  types: NodeType[];
  graph: JourneyGraph;
  /** A published version shown read-only, or null for the editable draft. */
  viewingVersion: number | null;
  onJourneyChange: (journey: Journey) => void;
  onViewVersion: (version: number | null) => void;
}

export function Workspace(props: WorkspaceProps) {
  return (
    <ReactFlowProvider>
      <WorkspaceInner {...props} />
    </ReactFlowProvider>
  );
}

type SidePanel = 'selection' | 'simulate' | 'versions';
type SaveState = 'saved' | 'saving' | 'unsaved' | 'error';

function WorkspaceInner(props: WorkspaceProps) {
  const { journey, types } = props;
  const readOnly = props.viewingVersion !== null || journey.status === 'archived';
  const flow = useReactFlow();
  const graph = useGraph(props.graph);
  const [meta, setMeta] = useState({
    name: props.graph.name,
    description: props.graph.description,
    settings: props.graph.settings ?? {},
  });
  const [side, setSide] = useState<SidePanel>('selection');
  const [validation, setValidation] = useState<ValidationResult | null>(null);
  const [validating, setValidating] = useState(true);
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [journeyCounts, setJourneyCounts] = useState<JourneyCounts | null>(null);
  const [simulation, setSimulation] = useState<SimulationResult | null>(null);
  const [publishing, setPublishing] = useState<false | 'dialog' | 'busy'>(false);
  const [note, setNote] = useState('');
  const [toast, setToast] = useState<{ text: string; kind: 'ok' | 'error' } | null>(null);
  const [pickers, setPickers] = useState<Pickers>({});
  const typeMap = useMemo(() => latestTypes(types), [types]);
  const typeIndex = useMemo(() => indexTypes(types), [types]);

  const stores = useMemo(
    () => ({
      counts: new KeyedStore<NodeCounts>(),
      problems: new KeyedStore<Problem[]>(),
      simulation: new KeyedStore<SimulationMark[]>(),
    }),
    [],
  );
  const showCounts = journey.activeVersion !== null;
  const context: EditorContextValue = useMemo(
    () => ({ nodeTypes: typeMap, typeIndex, ...stores, showCounts, readOnly }),
    [typeMap, typeIndex, stores, showCounts, readOnly],
  );

  const draft: JourneyGraph = useMemo(
    () => ({
      name: meta.name,
      ...(meta.description ? { description: meta.description } : {}),
      ...fromFlow(graph.nodes, graph.edges),
      settings: meta.settings,
    }),
    [meta, graph.nodes, graph.edges],
  );
  const draftJson = useMemo(() => JSON.stringify(draft), [draft]);
  // What the server has: the draft as first drawn, so opening a journey never saves it.
  const savedJson = useRef<string | null>(null);
  savedJson.current ??= draftJson;
  const savingNow = useRef<Promise<void> | null>(null);
  // Saves read the draft at the moment they run, not when they were scheduled, so a save that
  // waited behind a server-side change never sends the graph from before it.
  const latestDraft = useRef(draftJson);
  latestDraft.current = draftJson;
  // While the server changes the draft itself (upgrade, publish), local saves are held back.
  const savesHeld = useRef(false);
  const [serverEdits, setServerEdits] = useState(0);

  const save = useCallback(async () => {
    if (readOnly || savesHeld.current) return;
    const body = latestDraft.current;
    if (body === savedJson.current) return;
    setSaveState('saving');
    try {
      const saved = await api.put<Journey>(`/journeys/${journey.id}`, JSON.parse(body));
      savedJson.current = body;
      setSaveState('saved');
      props.onJourneyChange(saved);
    } catch (error) {
      setSaveState('error');
      setToast({ text: `Not saved: ${(error as Error).message}`, kind: 'error' });
    }
  }, [readOnly, journey.id, props.onJourneyChange]);

  const saveNow = useCallback(async () => {
    await savingNow.current;
    savingNow.current = save();
    await savingNow.current;
  }, [save]);

  /** Flushes pending edits, then holds saves until the server's change is on the canvas. */
  const holdSaves = useCallback(async () => {
    await saveNow();
    savesHeld.current = true;
    await savingNow.current;
  }, [saveNow]);

  /**
   * Takes a change the server made to the draft: what the server now has is what we last saved
   * with the same change, and the canvas gets it too. Saves resume once that render is committed.
   */
  const { upgradeNode, pinVersions } = graph;
  const adoptServerEdit = useCallback(
    (change: Map<string, { version: number; config?: Record<string, unknown> }>, undoable: boolean) => {
      if (savedJson.current) {
        savedJson.current = JSON.stringify(pinNodes(JSON.parse(savedJson.current), change));
      }
      for (const [id, pin] of change) {
        if (undoable && pin.config) upgradeNode(id, pin.version, pin.config);
      }
      if (!undoable) pinVersions(change);
      setServerEdits((n) => n + 1);
    },
    [upgradeNode, pinVersions],
  );

  // Declared before autosave so that saves resume in the same commit that shows the change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per adopted server edit
  useEffect(() => {
    savesHeld.current = false;
  }, [serverEdits]);

  const checkUpgrade = useCallback(
    async (nodeId: string, version: number, config: Record<string, unknown>) => {
      // The check reads the server's draft, so it must see the edges as drawn now.
      await saveNow();
      return api.post<UpgradeCheck>(`/journeys/${journey.id}/nodes/${encodeURIComponent(nodeId)}/upgrade`, {
        version,
        config,
        dryRun: true,
      });
    },
    [journey.id, saveNow],
  );

  const applyUpgrade = useCallback(
    async (nodeId: string, version: number, config: Record<string, unknown>) => {
      await holdSaves();
      try {
        const result = await api.post<UpgradeCheck>(
          `/journeys/${journey.id}/nodes/${encodeURIComponent(nodeId)}/upgrade`,
          { version, config },
        );
        adoptServerEdit(new Map([[nodeId, { version: result.to, config: result.node.config }]]), true);
        if (result.journey) props.onJourneyChange(result.journey);
        setToast({ text: `Upgraded ${nodeId} to version ${result.to}`, kind: 'ok' });
        return result;
      } catch (error) {
        savesHeld.current = false;
        throw error;
      }
    },
    [journey.id, holdSaves, adoptServerEdit, props.onJourneyChange],
  );

  const upgrades = useMemo(
    () => ({ check: checkUpgrade, apply: applyUpgrade }),
    [checkUpgrade, applyUpgrade],
  );

  // Autosave: a moment after the last change.
  useEffect(() => {
    if (readOnly || draftJson === savedJson.current) return;
    setSaveState('unsaved');
    const timer = setTimeout(() => void saveNow(), 800);
    return () => clearTimeout(timer);
  }, [draftJson, readOnly, saveNow]);

  // The API's validator on every change (debounced); problems go to the nodes' store.
  useEffect(() => {
    let cancelled = false;
    setValidating(true);
    const timer = setTimeout(async () => {
      try {
        const result = await api.post<ValidationResult>(`/journeys/${journey.id}/validate`, {
          graph: JSON.parse(draftJson),
        });
        if (cancelled) return;
        setValidation(result);
        const byNode = new Map<string, Problem[]>();
        for (const p of [...result.errors, ...result.warnings]) {
          if (p.nodeId) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p]);
        }
        stores.problems.replace(byNode, sameJson);
      } catch {
        // A failed check leaves publish disabled; the next change retries.
      } finally {
        if (!cancelled) setValidating(false);
      }
    }, 350);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [draftJson, journey.id, stores]);

  // Live counts of the active (or viewed) version, into the counts store only.
  const countsVersion = props.viewingVersion ?? journey.activeVersion;
  useEffect(() => {
    if (countsVersion === null) return;
    let stopped = false;
    const load = async () => {
      try {
        const counts = await api.get<JourneyCounts>(
          `/journeys/${journey.id}/counts?version=${countsVersion}`,
        );
        if (stopped) return;
        stores.counts.replace(new Map(Object.entries(counts.nodes)), sameJson);
        setJourneyCounts((old) =>
          old && sameJson(old, { ...counts, nodes: {} }) ? old : { ...counts, nodes: {} },
        );
      } catch {
        // Counts are best effort; the next tick retries.
      }
    };
    void load();
    const timer = setInterval(load, COUNTS_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [journey.id, countsVersion, stores]);

  // Pickers: events named in this journey, plus templates and segments where the API has them.
  const eventNames = useMemo(() => {
    const names = new Set<string>();
    for (const n of graph.nodes)
      if (typeof n.data.config.event === 'string' && n.data.config.event) names.add(n.data.config.event);
    if (meta.settings.goal?.event) names.add(meta.settings.goal.event);
    return [...names].sort();
  }, [graph.nodes, meta.settings]);
  useEffect(() => {
    void (async () => {
      const [templates, segments] = await Promise.all([
        optional<{ data: { id: string; name: string }[] }>('/templates'),
        optional<{ data: { id: string; name: string }[] }>('/segments'),
      ]);
      setPickers((old) => ({
        ...old,
        template: (templates?.data ?? []).map((t) => ({ value: t.name ?? t.id, label: t.name })),
        templateId: (templates?.data ?? []).map((t) => ({ value: t.id, label: t.name })),
        segmentId: (segments?.data ?? []).map((s) => ({ value: s.id, label: s.name })),
      }));
    })();
  }, []);
  const allPickers = useMemo(
    () => ({ ...pickers, event: eventNames.map((value) => ({ value })) }),
    [pickers, eventNames],
  );

  const showSimulation = useCallback(
    (result: SimulationResult | null) => {
      setSimulation(result);
      const marks = new Map<string, SimulationMark[]>();
      result?.steps.forEach((step, index) => {
        marks.set(step.nodeId, [
          ...(marks.get(step.nodeId) ?? []),
          { order: index + 1, atMs: step.atMs, port: step.port },
        ]);
      });
      stores.simulation.replace(marks, sameJson);
    },
    [stores],
  );

  const pathEdges = useMemo(() => {
    const ids = new Set<string>();
    if (!simulation) return ids;
    const steps = simulation.steps;
    for (let i = 0; i + 1 < steps.length; i++) {
      const edge = graph.edges.find(
        (e) =>
          e.source === steps[i].nodeId &&
          (e.sourceHandle ?? 'next') === (steps[i].port ?? 'next') &&
          e.target === steps[i + 1].nodeId,
      );
      if (edge) ids.add(edge.id);
    }
    return ids;
  }, [simulation, graph.edges]);
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
      setSide('selection');
    },
    [graph, placeNew],
  );

  const focusNode = useCallback(
    (id: string) => {
      const node = graph.nodes.find((n) => n.id === id);
      if (!node) return;
      graph.selectOnly(id);
      setSide('selection');
      void flow.setCenter(node.position.x + 120, node.position.y + 60, {
        zoom: Math.max(flow.getZoom(), 0.8),
        duration: 300,
      });
    },
    [graph, flow],
  );

  // Keyboard: undo/redo, copy/paste, delete, select all (not while typing in a field).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (readOnly) return;
      if (mod && key === 'z' && !event.shiftKey) graph.undo();
      else if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) graph.redo();
      else if (mod && key === 'c') graph.copy();
      else if (mod && key === 'v') graph.paste();
      else if (mod && key === 'a') graph.selectAll();
      else if (key === 'delete' || key === 'backspace') graph.deleteSelection();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [graph, readOnly]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(timer);
  }, [toast]);

  const errors = validation?.errors ?? [];
  const canPublish = !readOnly && !validating && validation?.valid === true && saveState !== 'error';

  const publish = async () => {
    setPublishing('busy');
    try {
      await holdSaves();
      const version = await api.post<{ version: number }>(
        `/journeys/${journey.id}/publish`,
        note ? { note } : {},
      );
      const fresh = await api.get<Journey>(`/journeys/${journey.id}`);
      // Publishing pinned every node's version into the server's draft; the canvas keeps them.
      adoptServerEdit(newPins(JSON.parse(latestDraft.current).nodes, fresh.draft.nodes), false);
      props.onJourneyChange(fresh);
      setToast({ text: `Published version ${version.version}`, kind: 'ok' });
      setNote('');
      setPublishing(false);
    } catch (error) {
      savesHeld.current = false;
      const problems = error instanceof ApiError ? error.problems : undefined;
      setToast({
        text: problems?.length ? `${error instanceof Error ? error.message : ''}` : (error as Error).message,
        kind: 'error',
      });
      setPublishing('dialog');
    }
  };

  const lifecycle = async (action: 'pause' | 'resume' | 'archive') => {
    try {
      const updated = await api.post<Journey>(`/journeys/${journey.id}/${action}`);
      props.onJourneyChange({ ...journey, ...updated });
      setToast({
        text: action === 'pause' ? 'Paused: no new entries' : action === 'resume' ? 'Resumed' : 'Archived',
        kind: 'ok',
      });
    } catch (error) {
      setToast({ text: (error as Error).message, kind: 'error' });
    }
  };

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(draft, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${draft.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase() || 'journey'}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  const selectedNodes = graph.nodes.filter((n) => n.selected);
  const selected: FlowNode | undefined = selectedNodes.length === 1 ? selectedNodes[0] : undefined;
  const problemsOf = (id: string) =>
    [...(validation?.errors ?? []), ...(validation?.warnings ?? [])].filter((p) => p.nodeId === id);

  return (
    <EditorContext.Provider value={context}>
      <div className={`workspace${readOnly ? ' read-only' : ''}`}>
        <header className="editor-bar">
          <a className="back" href="#/journeys" title="All journeys">
            ←
          </a>
          <div className="editor-title">
            <h1>{meta.name || 'Untitled journey'}</h1>
            <span className={`badge status-${journey.status}`}>{journey.status}</span>
            {journey.activeVersion !== null && <span className="muted">v{journey.activeVersion} live</span>}
            {!readOnly && (
              <span className={`save-state ${saveState}`} data-save-state={saveState}>
                {saveState === 'saved'
                  ? 'Draft saved'
                  : saveState === 'saving'
                    ? 'Saving…'
                    : saveState === 'unsaved'
                      ? 'Unsaved changes'
                      : 'Save failed'}
              </span>
            )}
          </div>
          {journeyCounts && (
            <div
              className="journey-stats"
              title={`Counts of version ${countsVersion}, refreshed every few seconds`}
            >
              <span>
                <b data-stat="entered">{journeyCounts.entered}</b> entered
              </span>
              <span>
                <b>{journeyCounts.running}</b> in journey
              </span>
              <span>
                <b>{journeyCounts.converted}</b> converted ({percent(journeyCounts.conversionRate)})
              </span>
            </div>
          )}
          <div className="editor-actions">
            {!readOnly && (
              <>
                <button type="button" title="Undo (Ctrl+Z)" disabled={!graph.canUndo} onClick={graph.undo}>
                  ↶
                </button>
                <button
                  type="button"
                  title="Redo (Ctrl+Shift+Z)"
                  disabled={!graph.canRedo}
                  onClick={graph.redo}
                >
                  ↷
                </button>
                <button
                  type="button"
                  title="Arrange the nodes top to bottom"
                  onClick={() => {
                    graph.layout();
                    setTimeout(() => flow.fitView({ duration: 300 }), 50);
                  }}
                >
                  Auto-layout
                </button>
              </>
            )}
            <button type="button" onClick={exportJson}>
              Export
            </button>
            <button
              type="button"
              className={side === 'versions' ? 'active' : ''}
              onClick={() => setSide(side === 'versions' ? 'selection' : 'versions')}
            >
              History
            </button>
            <button
              type="button"
              className={side === 'simulate' ? 'active' : ''}
              onClick={() => setSide(side === 'simulate' ? 'selection' : 'simulate')}
            >
              Simulate
            </button>
            {journey.status === 'active' && (
              <button type="button" onClick={() => lifecycle('pause')}>
                Pause
              </button>
            )}
            {journey.status === 'paused' && (
              <button type="button" onClick={() => lifecycle('resume')}>
                Resume
              </button>
            )}
            {!readOnly && (
              <button
                type="button"
                className="primary"
                data-testid="publish"
                disabled={!canPublish}
                title={
                  canPublish
                    ? 'Publish the draft as a new version'
                    : errors.length
                      ? 'Fix the errors first'
                      : 'Checking the draft…'
                }
                onClick={() => setPublishing('dialog')}
              >
                Publish
              </button>
            )}
          </div>
        </header>
        {props.viewingVersion !== null && (
          <div className="banner">
            Viewing version {props.viewingVersion} (read-only)
            {props.viewingVersion === journey.activeVersion ? ', the active version' : ''}.{' '}
            <button type="button" className="link-button" onClick={() => props.onViewVersion(null)}>
              Back to the draft
            </button>
          </div>
        )}
        <div className="editor-body">
          <Palette types={types} onAdd={addNode} disabled={readOnly} />
          <main
            className="canvas"
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes('application/x-wayline-node')) {
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
              }
            }}
            onDrop={(e) => {
              const typeName = e.dataTransfer.getData('application/x-wayline-node');
              const type = typeMap.get(typeName);
              if (!type || readOnly) return;
              e.preventDefault();
              const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
              addNode(type, { x: at.x - 120, y: at.y - 30 });
            }}
          >
            <ReactFlow
              nodes={graph.nodes}
              edges={shownEdges}
              nodeTypes={flowNodeTypes}
              onNodesChange={graph.onNodesChange}
              onEdgesChange={graph.onEdgesChange}
              onNodeDragStart={graph.onNodeDragStart}
              onNodeDragStop={graph.onNodeDragStop}
              onConnect={(c) => graph.connect(c)}
              onReconnect={(old, c) => graph.connect(c, old)}
              isValidConnection={(c) =>
                c.source !== c.target &&
                typeMap.get(graph.nodes.find((n) => n.id === c.target)?.data.nodeType ?? '')?.kind !==
                  'trigger'
              }
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              edgesReconnectable={!readOnly}
              deleteKeyCode={null}
              selectionKeyCode="Shift"
              multiSelectionKeyCode={['Meta', 'Control']}
              selectionMode={SelectionMode.Partial}
              fitView
              fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
              minZoom={0.1}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={20} size={1} />
              <MiniMap
                pannable
                zoomable
                nodeStrokeWidth={3}
                nodeColor={(n) => minimapColor(typeMap.get((n.data as FlowNode['data']).nodeType)?.kind)}
              />
              <Controls position="top-left" showInteractive={false} />
            </ReactFlow>
            <ProblemsList result={validation} pending={validating} onFocus={focusNode} />
            {simulation && (
              <div className="sim-legend">
                Simulated path: {simulation.steps.length} steps over {formatOffset(simulation.durationMs)} —{' '}
                {simulation.status}
                <button type="button" className="link-button" onClick={() => showSimulation(null)}>
                  Clear
                </button>
              </div>
            )}
          </main>
          <aside className="side">
            {side === 'simulate' && (
              <SimulatePanel
                journeyId={journey.id}
                activeVersion={journey.activeVersion}
                nodes={graph.nodes}
                beforeRun={saveNow}
                onResult={showSimulation}
                onFocus={focusNode}
                onClose={() => setSide('selection')}
              />
            )}
            {side === 'versions' && (
              <VersionsPanel
                journeyId={journey.id}
                activeVersion={journey.activeVersion}
                viewing={props.viewingVersion}
                onView={async (v) => {
                  await saveNow();
                  props.onViewVersion(v);
                }}
                onClose={() => setSide('selection')}
              />
            )}
            {side === 'selection' && selected && (
              <NodePanel
                key={selected.id}
                node={selected}
                typeIndex={typeIndex}
                upgrades={upgrades}
                nodes={graph.nodes}
                edges={graph.edges}
                problems={problemsOf(selected.id)}
                graph={graph}
                pickers={allPickers}
                readOnly={readOnly}
                onClose={() => graph.selectOnly(null)}
              />
            )}
            {side === 'selection' && !selected && (
              <SettingsPanel
                name={meta.name}
                description={meta.description}
                settings={meta.settings}
                problems={[...(validation?.errors ?? []), ...(validation?.warnings ?? [])]}
                pickers={allPickers}
                readOnly={readOnly}
                onChange={(patch) => setMeta((m) => ({ ...m, ...patch }) as typeof m)}
              />
            )}
          </aside>
        </div>
        {publishing && (
          <div className="modal-backdrop">
            <div className="modal" role="dialog" aria-label="Publish">
              <h2>Publish a new version</h2>
              <p>
                Contacts already in the journey keep the version they entered with; new entries use this one.
              </p>
              <div className="field">
                <label htmlFor="publish-note">Note (what changed)</label>
                <textarea
                  id="publish-note"
                  name="note"
                  rows={3}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                />
              </div>
              <div className="modal-actions">
                <button type="button" onClick={() => setPublishing(false)} disabled={publishing === 'busy'}>
                  Cancel
                </button>
                <button
                  type="button"
                  className="primary"
                  data-testid="confirm-publish"
                  onClick={publish}
                  disabled={publishing === 'busy' || !canPublish}
                >
                  {publishing === 'busy' ? 'Publishing…' : 'Publish'}
                </button>
              </div>
            </div>
          </div>
        )}
        {toast && (
          <div className={`toast ${toast.kind}`} role="status">
            {toast.text}
          </div>
        )}
      </div>
    </EditorContext.Provider>
  );
}

function minimapColor(kind: string | undefined): string {
  if (kind === 'trigger') return '#7c3aed';
  if (kind === 'control') return '#d97706';
  return '#2563eb';
}
