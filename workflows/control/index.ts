import type { PlanNode } from '../../engine/automation/journeys/plan';
import type { ControlConfig, ControlType } from '../../engine/automation/nodes/control';
import { branchCondition } from './branch-condition';
import { branchSwitch } from './branch-switch';
import { exit, exitNodeEnding } from './exit';
import { goal } from './goal';
import { splitRandom } from './split-random';
import type { ControlHandler, ControlVisit } from './visit';
import { waitCondition } from './wait-condition';
import { waitDuration } from './wait-duration';
import { waitEvent } from './wait-event';
import { waitUntil } from './wait-until';

export type {
  ControlHandler,
  ControlPlanNode,
  ControlVisit,
  Ending,
  WaitOptions,
  WaitOutcome,
} from './visit';
export { exitNodeEnding };

/** One handler per control node type; the type makes a missing or stray entry a compile error. */
export const controlHandlers: { [T in ControlType]: ControlHandler<T> } = {
  'wait.duration': waitDuration,
  'wait.until': waitUntil,
  'wait.event': waitEvent,
  'wait.condition': waitCondition,
  'branch.condition': branchCondition,
  'branch.switch': branchSwitch,
  'split.random': splitRandom,
  goal,
  exit,
};

export function isControlType(type: string): type is ControlType {
  return Object.hasOwn(controlHandlers, type);
}

/** Runs one visit of a control node. Plans hold each config as its node's schema parsed it at publish. */
export function runControlNode<T extends ControlType>(
  type: T,
  node: PlanNode,
  visit: ControlVisit,
): Promise<void> {
  const handler: ControlHandler<T> = controlHandlers[type];
  return handler({ ...node, type, config: node.config as ControlConfig<T> }, visit);
}
