// Shapes the API sends that are the same in JSON as the engine's own types: one definition.
export type { Problem, ValidationResult } from '../../../engine/automation/journeys/validate';
export type { JourneyCounts, NodeCounts } from '../../../engine/automation/runs/queries';

import type { UpgradeProblem } from '../../../engine/automation/journeys/upgrade-node';
import type { SimulationStep } from '../../../engine/simulate/simulator';

export type { SimulationStep, UpgradeProblem };

/** Shapes of the Wayline API as the builder reads them. */
export interface PortSpec {
  id: string;
  label: string;
  whenUnconnected?: 'exit' | 'next';
}

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
  description?: string;
  title?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  [key: string]: unknown;
};

export interface NodeType {
  type: string;
  version: number;
  kind: 'trigger' | 'control' | 'action';
  title: string;
  category: string;
  description?: string;
  ports: PortSpec[];
  dynamicPorts: boolean;
  configSchema: JsonSchema;
  latest: boolean;
}

export interface GraphNode {
  id: string;
  type: string;
  version?: number;
  config: Record<string, unknown>;
  position?: { x: number; y: number };
  label?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

export interface JourneySettings {
  reEntry?: { mode: 'never' | 'after-exit' | 'always'; minInterval?: { amount: number; unit: string } };
  goal?: { event: string; where?: unknown[] };
  exitCriteria?: { event: string; where?: unknown[] }[];
  quietHours?: { start: string; end: string; action?: 'defer' | 'skip' };
  frequencyCap?: Record<string, unknown>;
  timezone?: string;
}

export interface JourneyGraph {
  name: string;
  description?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  settings: JourneySettings;
}

export interface Journey {
  id: string;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  draft: JourneyGraph;
  activeVersion: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface JourneyVersion {
  id: string;
  version: number;
  graph: JourneyGraph;
  note: string | null;
  publishedAt: string;
}

export interface JourneyTemplate {
  id: string;
  name: string;
  description: string;
  graph: JourneyGraph;
}

export interface PathStep {
  nodeId: string;
  visit: number;
  port: string | null;
  enteredAt: string;
  leftAt: string | null;
  outcome: Record<string, unknown> | null;
}

export interface Run {
  id: string;
  journeyId: string;
  version: number;
  contactId: string;
  status: string;
  exitReason: string | null;
  startedAt: string;
  endedAt: string | null;
  path: PathStep[];
}

export interface Contact {
  id: string;
  externalId: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
  createdAt: string;
}

export interface SimulationResult {
  status: string;
  reason: string;
  source: 'draft' | 'active';
  version: number | null;
  startedAt: string | null;
  durationMs: number;
  steps: SimulationStep[];
  events: { event: string; atMs: number; outcome: string }[];
  messages: {
    nodeId: string | null;
    channel: string;
    recipient: string | null;
    subject: string | null;
    body: string | null;
    status: string;
    atMs: number;
  }[];
  contact: { attributes: Record<string, unknown>; tags: string[] };
}

/** `POST /v1/journeys/:id/nodes/:nodeId/upgrade`: the check (dry run) or the applied upgrade. */
export interface UpgradeCheck {
  nodeId: string;
  type: string;
  from: number;
  to: number;
  upgradable: boolean;
  problems: UpgradeProblem[];
  node: GraphNode;
  applied: boolean;
  journey?: Journey;
}
