import { z } from 'zod';
import { segmentDefinitionSchema } from '../audience/segments/definition';
import { listSegments } from '../audience/segments/segments';
import { diffJourneys } from '../automation/journeys/diff';
import { checkJourney, createJourney, listJourneys, saveDraft } from '../automation/journeys/journeys';
import { type JourneyGraph, journeyGraphSchema } from '../automation/journeys/model';
import type { Problem } from '../automation/journeys/validate';
import type { NodeRegistry } from '../automation/nodes/registry';
import type { TemporalDeps } from '../automation/runs/enroll';
import { DomainError } from '../errors';
import {
  createTemplate,
  findTemplateByName,
  listTemplates,
  type TemplateRow,
  updateTemplate,
} from '../messaging/templates/templates';
import { publishJourney } from './journey-lifecycle';
import { createSegment, updateSegment } from './segments';

/**
 * Journeys as code: a workspace's journeys, message templates and segments as plain data, the
 * same for `wayline journeys pull|push|diff` (one file each) and the builder's import/export (one
 * file). Segment ids differ between workspaces, so a journey names a segment `segment:<name>`.
 */
export const SEGMENT_REF = 'segment:';

const codeTemplateSchema = z.object({
  name: z.string().min(1).max(200),
  channel: z.string().min(1),
  subject: z.string().nullish(),
  preheader: z.string().nullish(),
  body: z.string(),
  html: z.string().nullish(),
  mjml: z.string().nullish(),
  tags: z.array(z.string()).optional(),
});

const codeSegmentSchema = z.object({
  name: z.string().min(1).max(200),
  definition: segmentDefinitionSchema,
});

export const codeBundleSchema = z.object({
  journeys: z.array(journeyGraphSchema).max(500).default([]),
  templates: z.array(codeTemplateSchema).max(2000).default([]),
  segments: z.array(codeSegmentSchema).max(500).default([]),
});

export type CodeBundle = z.infer<typeof codeBundleSchema>;
export type CodeTemplate = z.infer<typeof codeTemplateSchema>;
export type CodeSegment = z.infer<typeof codeSegmentSchema>;

export interface CodeDeps extends TemporalDeps {
  registry: NodeRegistry;
}

/** Replaces every `segmentId` value of a graph's nodes by `map(value)`. */
function mapSegments(graph: JourneyGraph, map: (value: string) => string): JourneyGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) =>
      typeof node.config.segmentId === 'string'
        ? { ...node, config: { ...node.config, segmentId: map(node.config.segmentId) } }
        : node,
    ),
  };
}

function templateOf(row: TemplateRow): CodeTemplate {
  const extra = row as TemplateRow & { mjml?: string | null; tags?: string[] };
  return {
    name: row.name,
    channel: row.channel,
    subject: row.subject ?? null,
    preheader: row.preheader ?? null,
    body: row.body,
    html: row.html ?? null,
    ...(extra.mjml ? { mjml: extra.mjml } : {}),
    ...(extra.tags?.length ? { tags: extra.tags } : {}),
  };
}

/** The workspace as code: drafts of non-archived journeys, every template and segment, by name. */
export async function exportCode(deps: Pick<CodeDeps, 'db'>, workspaceId: string): Promise<CodeBundle> {
  const segments = await listSegments(deps.db, workspaceId);
  const names = new Map(segments.map((s) => [s.id, s.name]));
  const journeys = (await listJourneys(deps.db, workspaceId))
    .filter((j) => j.status !== 'archived')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((j) => {
      const graph = journeyGraphSchema.parse(j.draft);
      return mapSegments(graph, (id) => (names.has(id) ? `${SEGMENT_REF}${names.get(id)}` : id));
    });
  return {
    journeys,
    templates: (await listTemplates(deps.db, workspaceId)).map(templateOf),
    segments: segments
      .map((s) => ({ name: s.name, definition: s.definition as unknown as CodeSegment['definition'] }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export type ChangeAction = 'created' | 'updated' | 'unchanged';

export interface PushReport {
  applied: boolean;
  journeys: { name: string; action: ChangeAction; id?: string; publishedVersion?: number }[];
  templates: { name: string; action: ChangeAction }[];
  segments: { name: string; action: ChangeAction }[];
  /** Errors and warnings per journey; any error refuses the push. */
  problems: (Problem & { journey: string })[];
}

export class CodePushRefused extends DomainError {
  constructor(report: PushReport) {
    const errors = report.problems.filter((p) => p.severity === 'error');
    super(
      'code_invalid',
      `The push has ${errors.length} problem(s) and changed nothing: ${errors
        .slice(0, 3)
        .map((p) => `${p.journey}: ${p.message}`)
        .join(' ')}`,
      'unprocessable',
      'journeys',
      { report },
    );
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function templateChanged(row: TemplateRow, wanted: CodeTemplate): boolean {
  const current = templateOf(row);
  return (Object.keys(wanted) as (keyof CodeTemplate)[]).some(
    (key) => !same(current[key] ?? null, wanted[key] ?? null),
  );
}

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
}

/**
 * Applies a bundle to the workspace: templates and segments are created or updated by name, and
 * journeys' drafts by name (new ones created); with `publish`, changed journeys are published.
 * Everything is checked first (graph validation and lint, the bundle's own templates and
 * segments counted as present) and nothing changes when an error is found or on a dry run.
 */
export async function pushCode(
  deps: CodeDeps,
  workspaceId: string,
  input: unknown,
  options: { dryRun?: boolean; publish?: boolean } = {},
): Promise<PushReport> {
  const bundle = codeBundleSchema.parse(input);
  const { db } = deps;
  const report: PushReport = { applied: false, journeys: [], templates: [], segments: [], problems: [] };
  for (const [kind, names] of [
    ['journeys', bundle.journeys.map((j) => j.name)],
    ['templates', bundle.templates.map((t) => t.name)],
    ['segments', bundle.segments.map((s) => s.name)],
  ] as const) {
    for (const name of duplicates(names)) {
      report.problems.push({
        journey: name,
        code: 'graph_invalid',
        severity: 'error',
        message: `Two ${kind} are named “${name}”; names identify them.`,
      });
    }
  }

  const existingSegments = new Map((await listSegments(db, workspaceId)).map((s) => [s.name, s]));
  for (const segment of bundle.segments) {
    const current = existingSegments.get(segment.name);
    report.segments.push({
      name: segment.name,
      action: !current ? 'created' : same(current.definition, segment.definition) ? 'unchanged' : 'updated',
    });
  }
  for (const template of bundle.templates) {
    const current = await findTemplateByName(db, workspaceId, template.name);
    report.templates.push({
      name: template.name,
      action: !current ? 'created' : templateChanged(current, template) ? 'updated' : 'unchanged',
    });
  }

  const existingJourneys = new Map(
    (await listJourneys(db, workspaceId)).filter((j) => j.status !== 'archived').map((j) => [j.name, j]),
  );
  const pendingSegments = new Set(bundle.segments.map((s) => s.name));
  // A segment this push creates keeps its `segment:<name>` until it exists; lint counts it as present.
  const resolve = (graph: JourneyGraph) =>
    mapSegments(graph, (value) => {
      if (!value.startsWith(SEGMENT_REF)) return value;
      return existingSegments.get(value.slice(SEGMENT_REF.length))?.id ?? value;
    });

  for (const graph of bundle.journeys) {
    const current = existingJourneys.get(graph.name);
    const resolved = resolve(graph);
    const check = await checkJourney(db, deps.registry, workspaceId, resolved, current?.id, {
      templates: bundle.templates,
      pendingSegments: [...pendingSegments].map((name) => `${SEGMENT_REF}${name}`),
    });
    for (const problem of [...check.errors, ...check.warnings])
      report.problems.push({ ...problem, journey: graph.name });
    report.journeys.push({
      name: graph.name,
      action: !current
        ? 'created'
        : diffJourneys(journeyGraphSchema.parse(current.draft), resolved).same
          ? 'unchanged'
          : 'updated',
      ...(current ? { id: current.id } : {}),
    });
  }

  if (report.problems.some((p) => p.severity === 'error')) {
    if (options.dryRun) return report;
    throw new CodePushRefused(report);
  }
  if (options.dryRun) return report;

  for (const segment of bundle.segments) {
    const current = existingSegments.get(segment.name);
    if (!current) {
      const created = await createSegment(deps, workspaceId, segment);
      existingSegments.set(segment.name, created);
    } else if (!same(current.definition, segment.definition)) {
      await updateSegment(deps, workspaceId, current.id, { definition: segment.definition });
    }
  }
  for (const template of bundle.templates) {
    const current = await findTemplateByName(db, workspaceId, template.name);
    if (!current) await createTemplate(db, workspaceId, template);
    else if (templateChanged(current, template)) await updateTemplate(db, workspaceId, current.id, template);
  }
  const current = (name: string) => existingJourneys.get(name);
  for (const [i, graph] of bundle.journeys.entries()) {
    const entry = report.journeys[i];
    const resolved = resolve(graph);
    let id = entry.id;
    if (entry.action === 'created') id = (await createJourney(db, workspaceId, resolved)).id;
    else if (entry.action === 'updated') await saveDraft(db, workspaceId, id!, resolved);
    entry.id = id;
    const live = current(entry.name);
    if (options.publish && (entry.action !== 'unchanged' || live?.activeVersion === null)) {
      entry.publishedVersion = (await publishJourney(deps, workspaceId, id!)).version;
    }
  }
  report.applied = true;
  return report;
}
