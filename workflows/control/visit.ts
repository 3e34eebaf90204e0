import type { ConditionGroup } from '../../engine/audience/conditions/conditions';
import type { PlanNode } from '../../engine/automation/journeys/plan';
import type { ControlConfig, ControlType } from '../../engine/automation/nodes/control';
import type {
  ContactView,
  JourneyRunInput,
  RunEndStatus,
  RunEvent,
  RunState,
} from '../../engine/automation/runs/types';

export interface Ending {
  status: RunEndStatus;
  reason: string;
}

export type WaitOutcome = 'deadline' | 'interrupted' | 'condition' | 'continue-as-new';

export interface WaitOptions {
  also?: () => boolean;
  resumable?: boolean;
}

/** A plan node of one control type, with its config typed by that node's schema. */
export type ControlPlanNode<T extends ControlType> = Omit<PlanNode, 'type' | 'config'> & {
  type: T;
  config: ControlConfig<T>;
};

/** What the interpreter lends a control node's handler for one visit of the node. */
export interface ControlVisit {
  input: JourneyRunInput;
  state: RunState;
  /** When the node was entered (earlier than now when the run continued as new mid-wait). */
  enteredAt: number;
  /** The arrival number a resumed wait.event counts from. */
  resumedSince: number | undefined;
  /**
   * Records the node as entered and flushes pending visits, before the run waits; `until` (ms)
   * is when the wait ends at the latest, kept on the open visit so a replay shows it.
   */
  hold(until?: number): Promise<void>;
  /**
   * Waits until `deadline` (ms), an interruption, or `also()`. With `resumable`, a history grown
   * too long during the wait ends it early so the run can continue as new at the same node.
   */
  waitFor(deadline: number, options?: WaitOptions): Promise<WaitOutcome>;
  /** Records that the run left the node by `port` (null: the run ends there). */
  leave(port: string | null, outcome?: Record<string, unknown>): void;
  /** Puts the run back at the start of this wait, to continue as new there. */
  resumeLater(since?: number): void;
  end(ending: Ending): void;
  contact(): Promise<ContactView>;
  /** Whether an event carries the run's entry key (false for runs of an unkeyed trigger). */
  carriesEntryKey(event: RunEvent): boolean;
  /** Index of the first group that holds for the contact, -1 when none does. */
  evaluateBranch(groups: ConditionGroup[]): Promise<number>;
  /** `{ values }` the last `evaluateBranch` decided on, for the visit's outcome (undefined when a query decided). */
  decidedOn(): { values: Record<string, unknown> } | undefined;
}

/** The meaning of one control node: where the run goes from it, and what it waits for. */
export type ControlHandler<T extends ControlType> = (
  node: ControlPlanNode<T>,
  visit: ControlVisit,
) => Promise<void>;
