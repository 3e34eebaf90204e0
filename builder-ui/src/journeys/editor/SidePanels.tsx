import type { KeyedStore } from '../../lib/store';
import type { Journey, SimulationResult, ValidationResult } from '../../lib/types';
import type { TypeIndex } from '../model/versions';
import type { DiffMark, SimulationMark } from './context';
import type { SidePanel } from './EditorToolbar';
import { NodePanel } from './panels/NodePanel';
import { SettingsPanel } from './panels/SettingsPanel';
import { SimulatePanel } from './panels/SimulatePanel';
import type { UpgradeActions } from './panels/UpgradePanel';
import type { Compare } from './panels/VersionDiffView';
import { VersionsPanel } from './panels/VersionsPanel';
import type { GraphApi } from './useGraph';
import { usePickers } from './usePickers';
import type { JourneyMeta } from './Workspace';

/**
 * The right-hand panel: simulation, version history, the selected node, or the journey's settings.
 * It reads the forms' suggestions itself, so their arrival re-renders the panel, not the canvas.
 */
export function SidePanels(props: {
  side: SidePanel;
  onClose: () => void;
  journey: Journey;
  viewingVersion: number | null;
  graph: GraphApi;
  typeIndex: TypeIndex;
  meta: JourneyMeta;
  onMetaChange: (patch: Partial<JourneyMeta>) => void;
  validation: ValidationResult | null;
  upgrades: UpgradeActions;
  readOnly: boolean;
  beforeRun: () => Promise<void>;
  onSimulation: (result: SimulationResult | null) => void;
  onFocus: (nodeId: string) => void;
  onView: (version: number | null) => void;
  diffStore: KeyedStore<DiffMark>;
  compare: Compare | null;
  onCompare: (compare: Compare | null) => void;
  simulationStore: KeyedStore<SimulationMark[]>;
}) {
  const { side, journey, graph, meta, validation, readOnly } = props;
  const pickers = usePickers(graph.nodes, meta.settings);
  const problems = [...(validation?.errors ?? []), ...(validation?.warnings ?? [])];
  const selectedNodes = graph.nodes.filter((n) => n.selected);
  const selected = selectedNodes.length === 1 ? selectedNodes[0] : undefined;
  return (
    <aside className="side">
      {side === 'simulate' && (
        <SimulatePanel
          journeyId={journey.id}
          activeVersion={journey.activeVersion}
          nodes={graph.nodes}
          beforeRun={props.beforeRun}
          onResult={props.onSimulation}
          onFocus={props.onFocus}
          onClose={props.onClose}
        />
      )}
      {side === 'versions' && (
        <VersionsPanel
          journeyId={journey.id}
          activeVersion={journey.activeVersion}
          viewing={props.viewingVersion}
          onView={props.onView}
          diffStore={props.diffStore}
          compare={props.compare}
          onCompare={props.onCompare}
          replay={{ nodes: graph.nodes, store: props.simulationStore }}
          onClose={props.onClose}
        />
      )}
      {side === 'selection' && selected && (
        <NodePanel
          key={selected.id}
          node={selected}
          typeIndex={props.typeIndex}
          upgrades={props.upgrades}
          nodes={graph.nodes}
          edges={graph.edges}
          problems={problems.filter((p) => p.nodeId === selected.id)}
          graph={graph}
          pickers={pickers}
          readOnly={readOnly}
          journeyId={journey.id}
          published={journey.activeVersion !== null}
          onClose={() => graph.selectOnly(null)}
        />
      )}
      {side === 'selection' && !selected && (
        <SettingsPanel
          name={meta.name}
          description={meta.description}
          settings={meta.settings}
          problems={problems}
          pickers={pickers}
          readOnly={readOnly}
          onChange={props.onMetaChange}
        />
      )}
    </aside>
  );
}
