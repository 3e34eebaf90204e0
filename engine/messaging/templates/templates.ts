import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { templates } from '../../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { createLiquid } from './liquid';

export type TemplateRow = typeof templates.$inferSelect;

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
  html: z.string().max(500_000).nullish().describe('Email HTML body (Liquid, output HTML-escaped)'),
});

export type TemplateInput = z.infer<typeof templateInput>;

/** Parsing catches syntax errors when a template is saved, not when a journey sends it. */
function checkSyntax(input: TemplateInput): void {
  const engine = createLiquid({ html: false, partials: {} });
  for (const part of ['subject', 'preheader', 'body', 'html'] as const) {
    const source = input[part];
    if (!source) continue;
    try {
      engine.parse(source);
    } catch (error) {
      throw new InvalidInput('template_syntax', `${part}: ${(error as Error).message.split('\n')[0]}`, part);
    }
  }
}

export async function createTemplate(db: Db, workspaceId: string, raw: unknown): Promise<TemplateRow> {
  const input = templateInput.parse(raw);
  checkSyntax(input);
  const [row] = await db
    .insert(templates)
    .values({ workspaceId, ...input })
    .onConflictDoNothing()
    .returning();
  if (!row)
    throw new Conflict('template_name_taken', `A template named “${input.name}” already exists`, 'name');
  return row;
}

export async function updateTemplate(
  db: Db,
  workspaceId: string,
  id: string,
  raw: unknown,
): Promise<TemplateRow> {
  const input = templateInput.parse(raw);
  checkSyntax(input);
  try {
    const [row] = await db
      .update(templates)
      .set({ ...input, updatedAt: new Date() })
      .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, id)))
      .returning();
    if (!row) throw new NotFound('Template', id);
    return row;
  } catch (error) {
    if (
      (error as { code?: string; cause?: { code?: string } }).cause?.code === '23505' ||
      (error as { code?: string }).code === '23505'
    ) {
      throw new Conflict('template_name_taken', `A template named “${input.name}” already exists`, 'name');
    }
    throw error;
  }
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

export async function listTemplates(db: Db, workspaceId: string): Promise<TemplateRow[]> {
  return db
    .select()
    .from(templates)
    .where(eq(templates.workspaceId, workspaceId))
    .orderBy(asc(templates.name));
}

export async function deleteTemplate(db: Db, workspaceId: string, id: string): Promise<void> {
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
