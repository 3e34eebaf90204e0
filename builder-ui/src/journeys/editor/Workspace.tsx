import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useCan } from '../../api/session';
import { Toast, useToast } from '../../components/Toast';
import { downloadJson } from '../../lib/download';
import { KeyedStore } from '../../lib/store';
import type { Journey, JourneyGraph, NodeCounts, NodeType, Problem } from '../../lib/types';
import { fromFlow } from '../model/graph';
import { indexTypes } from '../model/versions';
import {
  type DiffMark,
  EditorContext,
  type EditorContextValue,
  latestTypes,
  type SimulationMark,
} from './context';
import { EditorToolbar, type SidePanel } from './EditorToolbar';
import { JourneyCanvas } from './JourneyCanvas';
import { PublishDialog } from './PublishDialog';
import { Palette } from './panels/Palette';
import type { Compare } from './panels/VersionDiffView';
import { ResumeDialog } from './ResumeDialog';
import { SidePanels } from './SidePanels';
import { useAutosave } from './useAutosave';
import { useCanvasActions } from './useCanvasActions';
import { useDraftValidation } from './useDraftValidation';
import { useEditorShortcuts } from './useEditorShortcuts';
import { useGraph } from './useGraph';
import { useJourneyLifecycle } from './useJourneyLifecycle';
import { useLiveCounts } from './useLiveCounts';
import { useSimulationOverlay } from './useSimulationOverlay';
import { useUpgrades } from './useUpgrades';

export interface WorkspaceProps {
  journey: Journey;
  types: NodeType[];
  graph: JourneyGraph;
  /** A published version shown read-only, or null for the editable draft. */
  viewingVersion: number | null;
  onJourneyChange: (journey: Journey) => void;
  onViewVersion: (version: number | null) => void;
  /** The version diff shown on the canvas, if any. */
  compare: Compare | null;
  onCompare: (compare: Compare | null) => void;
}

export function Workspace(props: WorkspaceProps) {
  return (
    <ReactFlowProvider>
      <WorkspaceInner {...props} />
    </ReactFlowProvider>
  );
}

export interface JourneyMeta {
  name: string;
  description?: string;
  settings: NonNullable<JourneyGraph['settings']>;
}

function WorkspaceInner(props: WorkspaceProps) {
  const { journey, types } = props;
  // A role without journeys:write (an analyst, a developer) sees the journey but cannot change it.
  const mayEdit = useCan()('journeys:write');
  const readOnly = !mayEdit || props.viewingVersion !== null || journey.status === 'archived';
  const flow = useReactFlow();
  const graph = useGraph(props.graph);
  const [meta, setMeta] = useState<JourneyMeta>({
    name: props.graph.name,
    description: props.graph.description,
    settings: props.graph.settings ?? {},
  });
  // A replay link (`?replay=<run>`, from a contact's profile) opens the version history on it.
  const replayLinked = useSearchParams()[0].has('replay');
  const [side, setSide] = useState<SidePanel>(props.compare || replayLinked ? 'versions' : 'selection');
  const [publishing, setPublishing] = useState(false);
  const [resuming, setResuming] = useState(false);
  const { toast, notify } = useToast();
  const typeMap = useMemo(() => latestTypes(types), [types]);
  const typeIndex = useMemo(() => indexTypes(types), [types]);
  const stores = useMemo(
    () => ({
      counts: new KeyedStore<NodeCounts>(),
      problems: new KeyedStore<Problem[]>(),
      simulation: new KeyedStore<SimulationMark[]>(),
      diff: new KeyedStore<DiffMark>(),
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

  const notifyError = useCallback((text: string) => notify(text, 'error'), [notify]);
  const autosave = useAutosave({ journeyId: journey.id, draftJson, readOnly, graph, onError: notifyError });
  const upgrades = useUpgrades({
    journeyId: journey.id,
    autosave,
    onJourneyChange: props.onJourneyChange,
    notify,
  });
  const { validation, validating } = useDraftValidation(journey.id, draftJson, stores.problems);
  const countsVersion = props.viewingVersion ?? journey.activeVersion;
  const journeyCounts = useLiveCounts(journey.id, countsVersion, stores.counts);
  const simulation = useSimulationOverlay(stores.simulation, graph.edges);
  const { showSimulation } = simulation;
  const clearSimulation = useCallback(() => showSimulation(null), [showSimulation]);
  const showSelection = useCallback(() => setSide('selection'), []);
  const { addNode, focusNode } = useCanvasActions(graph, showSelection);
  const { publish, lifecycle } = useJourneyLifecycle({ journey, autosave, notify });
  useEditorShortcuts(graph, readOnly);

  const errors = validation?.errors ?? [];
  const canPublish = !readOnly && !validating && validation?.valid === true && autosave.saveState !== 'error';

  return (
    <EditorContext.Provider value={context}>
      <div className={`workspace${readOnly ? ' read-only' : ''}`}>
        <EditorToolbar
          journey={journey}
          title={meta.name}
          readOnly={readOnly}
          saveState={autosave.saveState}
          counts={journeyCounts}
          countsVersion={countsVersion}
          graph={graph}
          onLayout={() => {
            graph.layout();
            setTimeout(() => flow.fitView({ duration: 300 }), 50);
          }}
          side={side}
          onSide={setSide}
          onExport={() => downloadJson(draft.name, draft)}
          onLifecycle={(action) =>
            action === 'resume' && draft.nodes.some((n) => n.type === 'trigger.segment')
              ? setResuming(true)
              : lifecycle(action)
          }
          canPublish={canPublish}
          hasErrors={errors.length > 0}
          onPublish={() => setPublishing(true)}
        />
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
          <JourneyCanvas
            graph={graph}
            typeMap={typeMap}
            readOnly={readOnly}
            validation={validation}
            validating={validating}
            simulation={simulation.simulation}
            pathEdges={simulation.pathEdges}
            onClearSimulation={clearSimulation}
            onAdd={addNode}
            onFocus={focusNode}
          />
          <SidePanels
            side={side}
            onClose={showSelection}
            journey={journey}
            viewingVersion={props.viewingVersion}
            graph={graph}
            typeIndex={typeIndex}
            meta={meta}
            onMetaChange={(patch) => setMeta((m) => ({ ...m, ...patch }))}
            validation={validation}
            upgrades={upgrades}
            readOnly={readOnly}
            beforeRun={autosave.saveNow}
            onSimulation={simulation.showSimulation}
            onFocus={focusNode}
            diffStore={stores.diff}
            compare={props.compare}
            onCompare={props.onCompare}
            simulationStore={stores.simulation}
            onView={async (version) => {
              await autosave.saveNow();
              props.onViewVersion(version);
            }}
          />
        </div>
        {publishing && (
          <PublishDialog
            journeyId={journey.id}
            canPublish={canPublish}
            nodeIds={draft.nodes.filter((n) => !n.type.startsWith('trigger.')).map((n) => n.id)}
            onPublish={publish}
            onClose={() => setPublishing(false)}
          />
        )}
        {resuming && (
          <ResumeDialog
            journeyId={journey.id}
            onResume={(missed) => lifecycle('resume', missed)}
            onClose={() => setResuming(false)}
          />
        )}
        <Toast toast={toast} />
      </div>
    </EditorContext.Provider>
  );
}
