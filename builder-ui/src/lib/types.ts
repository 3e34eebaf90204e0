// Shapes the API sends that are the same in JSON as the engine's own types: one definition.
export type { Problem, ValidationResult } from '../../../engine/automation/journeys/validate';
export type { JourneyCounts, NodeCounts } from '../../../engine/automation/runs/queries';

import type { UpgradeProblem } from '../../../engine/automation/journeys/upgrade-node';
import type { SimulationStep } from '../../../engine/simulate/simulator';

export type { Contact } from '../../../engine/api/schemas/audience';

// The API's answers, typed by the response schemas the engine serves them with (dates as strings).
export type {
  Journey,
  JourneyTemplateView as JourneyTemplate,
  JourneyVersion,
  PathStepView as PathStep,
  Run,
  SimulationResultView as SimulationResult,
  UpgradeCheckView as UpgradeCheck,
} from '../../../engine/api/schemas/journeys';
export type {
  JourneyEdge as GraphEdge,
  JourneyNode as GraphNode,
  JourneySettingsInput as JourneySettings,
} from '../../../engine/automation/journeys/model';
export type { PortSpec } from '../../../engine/sdk/define-node';
export type { SimulationStep, UpgradeProblem };

import type { NodeType as EngineNodeType } from '../../../engine/api/schemas/journeys';
import type {
  JourneyGraph as EngineJourneyGraph,
  JourneySettingsInput,
} from '../../../engine/automation/journeys/model';

/** A graph as the builder edits it: the engine's graph, with settings as written (defaults optional). */
export type JourneyGraph = Omit<EngineJourneyGraph, 'settings'> & { settings: JourneySettingsInput };

/** The JSON Schema subset the builder's forms read (the engine only knows it as a record). */
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

/** `GET /v1/node-types`: the engine's node type, with its config schema typed for the forms. */
export type NodeType = Omit<EngineNodeType, 'configSchema'> & { configSchema: JsonSchema };
