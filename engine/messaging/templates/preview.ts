import type { Db } from '../../../db';
import { toSnapshot } from '../../audience/contacts/contact-store';
import { getContact } from '../../audience/contacts/contacts';
import { loadTemplateAnalytics } from './analytics-scope';
import { type RenderedParts, renderParts } from './render';
import { renderScope } from './scope';
import { getTemplate, loadPartials, type TemplateRow } from './templates';

export interface PreviewRequest {
  contactId: string;
  event?: { name?: string; properties?: Record<string, unknown> };
}

/**
 * Renders a template for one contact exactly as a send would, except that links point at
 * placeholders and nothing is recorded. A template that cannot render answers 422 with the reason.
 */
export async function previewTemplate(
  db: Db,
  workspaceId: string,
  template: Pick<TemplateRow, 'name' | 'subject' | 'preheader' | 'body' | 'html'>,
  request: PreviewRequest,
): Promise<RenderedParts> {
  const contact = await getContact(db, workspaceId, request.contactId);
  const scope = renderScope({
    contact: toSnapshot(contact),
    trigger: request.event
      ? {
          id: 'preview',
          name: request.event.name ?? null,
          properties: request.event.properties ?? {},
          timestamp: new Date().toISOString(),
        }
      : null,
    journey: { id: 'preview', version: 0 },
    links: { unsubscribeUrl: '#unsubscribe', preferencesUrl: '#preferences' },
    analytics: await loadTemplateAnalytics(db, workspaceId, contact.id),
  });
  return renderParts(
    { subject: template.subject, preheader: template.preheader, text: template.body, html: template.html },
    scope,
    { partials: await loadPartials(db, workspaceId), templateName: template.name },
  );
}

export async function previewStoredTemplate(
  db: Db,
  workspaceId: string,
  id: string,
  request: PreviewRequest,
) {
  return previewTemplate(db, workspaceId, await getTemplate(db, workspaceId, id), request);
}
