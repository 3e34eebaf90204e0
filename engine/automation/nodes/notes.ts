import { z } from 'zod';
import { logActivity } from '../../crm/timeline/activities';
import { defineNode, nextPort } from '../../sdk/define-node';

/** Writes a note on the contact's timeline, once per visit (a retried activity finds its note). */
export const timelineNote = defineNode({
  type: 'timeline.note',
  version: 1,
  kind: 'action',
  title: 'Add a note',
  category: 'CRM',
  config: z.object({
    subject: z.string().max(200).optional().describe('Shown as the note title'),
    body: z
      .string()
      .min(1)
      .max(5000)
      .describe('The note; {{field}} is replaced by the contact attribute (or email, phone, userId)'),
  }),
  ports: [nextPort],
  summary: (c) => `Note: ${c.subject ?? c.body.slice(0, 40)}`,
  async execute(config, ctx) {
    const profile: Record<string, unknown> = {
      ...ctx.contact.attributes,
      email: ctx.contact.email,
      phone: ctx.contact.phone,
      userId: ctx.contact.externalId,
    };
    const body = config.body.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_, key: string) => {
      const value = profile[key];
      return value === undefined || value === null ? '' : String(value);
    });
    const note = await logActivity(
      ctx.db,
      ctx.workspaceId,
      ctx.contact.id,
      { kind: 'note', subject: config.subject ?? null, body },
      { journeyId: ctx.journeyId, dedupKey: ctx.idempotencyKey },
    );
    return { output: { noteId: note.id } };
  },
});
