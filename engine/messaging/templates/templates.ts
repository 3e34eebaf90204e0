import { and, arrayContains, asc, desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { templates, templateVersions } from '../../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { compileMjml, mjmlProblems } from './mjml';
import { liquidProblems, type SyntaxProblem } from './syntax';
import { journeysUsingTemplate } from './usage';

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVersionRow = typeof templateVersions.$inferSelect;

/**
 * `layout` templates wrap others (`{% layout 'name' %}` + `{% block %}`), `snippet` templates
 * are included with `{% render 'name' %}`; the rest are messages of their channel.
 */
export const templateKinds = [
  'email',
  'sms',
  'push',
  'slack',
  'webhook',
  'wechat',
  'layout',
  'snippet',
] as const;

export const templateInput = z.object({
  name: z.string().trim().min(1).max(200),
  channel: z.enum(templateKinds),
  subject: z.string().max(2000).nullish().describe('Email subject (Liquid)'),
  preheader: z.string().max(2000).nullish().describe('Email preview text (Liquid)'),
  body: z.string().max(200_000).describe('Text body (Liquid); the email text part'),
  html: z
    .string()
    .max(500_000)
    .nullish()
    .describe('Email HTML body (Liquid, output HTML-escaped); compiled from `mjml` when that is given'),
  mjml: z
    .string()
    .max(500_000)
    .nullish()
    .describe('Email or layout MJML source (Liquid inside); compiled to `html` on save, kept as written'),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]).describe('Free labels to filter by'),
});

export type TemplateInput = z.input<typeof templateInput>;

/** Who saves a template: the audit actor's label and, for a person, the user id. */
export interface TemplateAuthor {
  label: string | null;
  userId: string | null;
}

export const templateFilters = z.object({
  search: z.string().trim().max(200).optional().describe('Part of the name, subject or body'),
  channel: z.enum(templateKinds).optional(),
  tag: z.string().trim().max(50).optional(),
});

/**
 * Parses and checks what will be stored: Liquid syntax errors refuse the save with their part,
 * line and column; MJML is compiled to the HTML that sends use.
 */
async function prepare(raw: unknown) {
  const input = templateInput.parse(raw);
  if (input.mjml && input.channel !== 'email' && input.channel !== 'layout') {
    throw new InvalidInput(
      'template_mjml_channel',
      'Only email templates and layouts are written in MJML',
      'mjml',
    );
  }
  const problems = liquidProblems(input);
  if (problems.length > 0) {
    const [first] = problems;
    throw new InvalidInput(
      'template_syntax',
      `${first.part} line ${first.line}, column ${first.column}: ${first.message}`,
      first.part,
      { line: first.line, column: first.column, problems },
    );
  }
  const html = input.mjml ? await compileMjml(input.mjml) : (input.html ?? null);
  return {
    name: input.name,
    channel: input.channel,
    subject: input.subject ?? null,
    preheader: input.preheader ?? null,
    body: input.body,
    html,
    mjml: input.mjml ?? null,
    tags: [...new Set(input.tags)],
  };
}

type Content = Awaited<ReturnType<typeof prepare>>;

const isUniqueViolation = (error: unknown) =>
  (error as { cause?: { code?: string } }).cause?.code === '23505' ||
  (error as { code?: string }).code === '23505';

const nameTaken = (name: string) =>
  new Conflict('template_name_taken', `A template named “${name}” already exists`, 'name');

function versionOf(row: TemplateRow, author: TemplateAuthor, action: string, revertedFrom?: number) {
  return {
    workspaceId: row.workspaceId,
    templateId: row.id,
    version: row.version,
    name: row.name,
    channel: row.channel,
    subject: row.subject,
    preheader: row.preheader,
    body: row.body,
    html: row.html,
    mjml: row.mjml,
    tags: row.tags,
    changedBy: author.label,
    changedById: author.userId,
    action,
    revertedFrom: revertedFrom ?? null,
  };
}

const system: TemplateAuthor = { label: null, userId: null };

export async function createTemplate(
  db: Db,
  workspaceId: string,
  raw: unknown,
  author: TemplateAuthor = system,
): Promise<TemplateRow> {
  const content = await prepare(raw);
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [row] = await t
      .insert(templates)
      .values({ workspaceId, ...content, version: 1, updatedBy: author.label })
      .onConflictDoNothing()
      .returning();
    if (!row) throw nameTaken(content.name);
    await t.insert(templateVersions).values(versionOf(row, author, 'create'));
    return row;
  });
}

async function saveVersion(
  db: Db,
  workspaceId: string,
  id: string,
  content: Content,
  author: TemplateAuthor,
  action: 'update' | 'revert',
  revertedFrom?: number,
): Promise<TemplateRow> {
  try {
    return await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      const [current] = await t
        .select()
        .from(templates)
        .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)))
        .for('update');
      if (!current) throw new NotFound('Template', id);
      if (content.name !== current.name) await refuseInUse(t, workspaceId, current.name, 'renamed');
      // A template saved before versions were kept gets its current state recorded first.
      await t
        .insert(templateVersions)
        .values(versionOf(current, { label: current.updatedBy, userId: null }, 'update'))
        .onConflictDoNothing();
      const [row] = await t
        .update(templates)
        .set({ ...content, version: current.version + 1, updatedBy: author.label, updatedAt: new Date() })
        .where(eq(templates.id, id))
        .returning();
      await t.insert(templateVersions).values(versionOf(row, author, action, revertedFrom));
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(content.name);
    throw error;
  }
}

export async function updateTemplate(
  db: Db,
  workspaceId: string,
  id: string,
  raw: unknown,
  author: TemplateAuthor = system,
): Promise<TemplateRow> {
  return saveVersion(db, workspaceId, id, await prepare(raw), author, 'update');
}

/** Saves an earlier version's content as the newest version (history is never rewritten). */
export async function revertTemplate(
  db: Db,
  workspaceId: string,
  id: string,
  version: number,
  author: TemplateAuthor = system,
): Promise<TemplateRow> {
  const old = await getTemplateVersion(db, workspaceId, id, version);
  const current = await getTemplate(db, workspaceId, id);
  const content = await prepare({
    name: current.name,
    channel: old.channel,
    subject: old.subject,
    preheader: old.preheader,
    body: old.body,
    html: old.mjml ? null : old.html,
    mjml: old.mjml,
    tags: old.tags,
  });
  return saveVersion(db, workspaceId, id, content, author, 'revert', version);
}

export async function listTemplateVersions(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<TemplateVersionRow[]> {
  await getTemplate(db, workspaceId, id);
  return db
    .select()
    .from(templateVersions)
    .where(and(eq(templateVersions.workspaceId, workspaceId), eq(templateVersions.templateId, id)))
    .orderBy(desc(templateVersions.version));
}

export async function getTemplateVersion(
  db: Db,
  workspaceId: string,
  id: string,
  version: number,
): Promise<TemplateVersionRow> {
  const [row] = await db
    .select()
    .from(templateVersions)
    .where(
      and(
        eq(templateVersions.workspaceId, workspaceId),
        eq(templateVersions.templateId, id),
        eq(templateVersions.version, version),
      ),
    );
  if (!row) throw new NotFound('Template version', `${id}@${version}`);
  return row;
}

export async function getTemplate(db: Db, workspaceId: string, id: string): Promise<TemplateRow> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)));
  if (!row) throw new NotFound('Template', id);
  return row;
}

export async function findTemplateByName(
  db: Db,
  workspaceId: string,
  name: string,
): Promise<TemplateRow | undefined> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.name, name)));
  return row;
}

export async function listTemplates(
  db: Db,
  workspaceId: string,
  filters: z.infer<typeof templateFilters> = {},
): Promise<TemplateRow[]> {
  const where = [eq(templates.workspaceId, workspaceId)];
  if (filters.channel) where.push(eq(templates.channel, filters.channel));
  if (filters.tag) where.push(arrayContains(templates.tags, [filters.tag]));
  if (filters.search) {
    const pattern = `%${filters.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(
        ilike(templates.name, pattern),
        ilike(sql`coalesce(${templates.subject}, '')`, pattern),
        ilike(templates.body, pattern),
      )!,
    );
  }
  return db
    .select()
    .from(templates)
    .where(and(...where))
    .orderBy(asc(templates.name));
}

/** Running journeys find a template by name: it cannot be deleted or renamed under them. */
async function refuseInUse(db: Db, workspaceId: string, name: string, what: 'deleted' | 'renamed') {
  const users = await journeysUsingTemplate(db, workspaceId, name);
  if (users.length === 0) return;
  throw new Conflict(
    'template_in_use',
    `“${name}” cannot be ${what}: ${users.map((j) => `“${j.name}”`).join(', ')} (${users.length === 1 ? 'a published journey' : 'published journeys'}) ${users.length === 1 ? 'sends' : 'send'} it`,
    'name',
  );
}

export async function deleteTemplate(db: Db, workspaceId: string, id: string): Promise<void> {
  const template = await getTemplate(db, workspaceId, id);
  await refuseInUse(db, workspaceId, template.name, 'deleted');
  const removed = await db
    .delete(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)))
    .returning({ id: templates.id });
  if (removed.length === 0) throw new NotFound('Template', id);
}

/** The workspace's layouts and snippets by name, for `{% layout %}` and `{% render %}`. */
export async function loadPartials(db: Db, workspaceId: string): Promise<Record<string, string>> {
  const rows = await db
    .select({ name: templates.name, body: templates.body, html: templates.html })
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), inArray(templates.channel, ['layout', 'snippet'])));
  return Object.fromEntries(rows.map((r) => [r.name, r.html ?? r.body]));
}

/**
 * A template by name with the workspace's layouts and snippets (see `loadPartials`), in one
 * statement: what a send renders with.
 */
export async function findTemplateWithPartials(
  db: Db,
  workspaceId: string,
  name: string,
): Promise<{ template: TemplateRow | undefined; partials: Record<string, string> }> {
  const rows = await db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.workspaceId, workspaceId),
        or(eq(templates.name, name), inArray(templates.channel, ['layout', 'snippet'])),
      ),
    );
  return {
    template: rows.find((r) => r.name === name),
    partials: Object.fromEntries(
      rows
        .filter((r) => r.channel === 'layout' || r.channel === 'snippet')
        .map((r) => [r.name, r.html ?? r.body]),
    ),
  };
}

export const draftParts = z.object({
  subject: z.string().max(2000).nullish(),
  preheader: z.string().max(2000).nullish(),
  body: z.string().max(200_000).nullish(),
  html: z.string().max(500_000).nullish(),
  mjml: z.string().max(500_000).nullish(),
});

/** Every Liquid and MJML problem of a draft with its part, line and column; empty when it would save. */
export async function templateProblems(parts: z.infer<typeof draftParts>): Promise<SyntaxProblem[]> {
  const problems = liquidProblems(parts);
  if (parts.mjml) {
    for (const p of await mjmlProblems(parts.mjml)) {
      problems.push({ part: 'mjml', line: p.line, column: 1, message: p.message });
    }
  }
  return problems;
}
