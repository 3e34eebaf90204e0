import type { Db } from '../../db';
import { createJourney, type JourneyRow } from '../automation/journeys/journeys';
import { getTemplate } from '../automation/journeys/templates';
import { NotFound } from '../errors';
import { createTemplate, findTemplateByName } from '../messaging/templates/templates';

/**
 * A journey draft from a shipped template, with the message templates it sends created in the
 * workspace when missing (a template of the same name the workspace already has is kept).
 */
export async function createJourneyFromTemplate(
  db: Db,
  workspaceId: string,
  templateId: string,
  name?: string,
): Promise<JourneyRow> {
  const template = getTemplate(templateId);
  if (!template) throw new NotFound('Template', templateId);
  for (const message of template.messageTemplates ?? []) {
    if (!(await findTemplateByName(db, workspaceId, message.name))) {
      await createTemplate(db, workspaceId, message);
    }
  }
  return createJourney(db, workspaceId, { ...template.graph, name: name ?? template.name });
}
