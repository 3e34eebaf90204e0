import type { NodeKind } from '../../sdk/define-node';
import type { JourneySettings } from './model';

/**
 * The compiled, immutable form of a journey version that a run carries in its input.
 * Pure data: the interpreter workflow reads it without any I/O.
 */
export interface PlanNode {
  id: string;
  type: string;
  version: number;
  kind: NodeKind;
  /** Config after schema parsing (defaults applied). */
  config: Record<string, unknown>;
  /** Every declared port → target node id, or null when the run exits there. */
  next: Record<string, string | null>;
}

export interface Plan {
  planVersion: 1;
  /** sha256 of the canonical graph: identical drafts compile to the same hash. */
  contentHash: string;
  trigger: string;
  nodes: Record<string, PlanNode>;
  settings: JourneySettings;
}

export const PLAN_VERSION = 1 as const;
