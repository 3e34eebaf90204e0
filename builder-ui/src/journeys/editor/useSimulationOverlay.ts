import { useCallback, useMemo, useState } from 'react';
import type { KeyedStore } from '../../lib/store';
import { sameJson } from '../../lib/store';
import type { SimulationResult } from '../../lib/types';
import type { FlowEdge, SimulationMark } from './context';

/** A simulated path laid on the canvas: step marks on its nodes, and the edges it took. */
export function useSimulationOverlay(store: KeyedStore<SimulationMark[]>, edges: FlowEdge[]) {
  const [simulation, setSimulation] = useState<SimulationResult | null>(null);

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
      store.replace(marks, sameJson);
    },
    [store],
  );

  const pathEdges = useMemo(() => {
    const ids = new Set<string>();
    if (!simulation) return ids;
    const steps = simulation.steps;
    for (let i = 0; i + 1 < steps.length; i++) {
      const edge = edges.find(
        (e) =>
          e.source === steps[i].nodeId &&
          (e.sourceHandle ?? 'next') === (steps[i].port ?? 'next') &&
          e.target === steps[i + 1].nodeId,
      );
      if (edge) ids.add(edge.id);
    }
    return ids;
  }, [simulation, edges]);

  return { simulation, showSimulation, pathEdges };
}
