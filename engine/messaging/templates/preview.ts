import { z } from 'zod';
import type { Db } from '../../../db';
import { toSnapshot } from '../../audience/contacts/contact-store';
import { getContact } from '../../audience/contacts/contacts';
import { InvalidInput } from '../../errors';
import type { ContactSnapshot } from '../../sdk/define-node';
import { loadTemplateAnalytics, type TemplateAnalytics } from './analytics-scope';
import { contentLookup } from './content-lookup';
import { compileMjml } from './mjml';
import { type RenderedParts, renderParts } from './render';
import { renderScope } from './scope';
import { type SmsSegments, smsSegments } from './sms-segments';
import { getTemplate, loadPartials, type TemplateRow } from './templates';

export const previewRequest = z.object({
  contactId: z.uuid().optional().describe('Render for this contact'),
  contact: z
    .object({
      email: z.string().nullish(),
      phone: z.string().nullish(),
      timezone: z.string().nullish(),
      attributes: z.record(z.string(), z.unknown()).optional(),
    })
    .catchall(z.unknown())
    .optional()
    .describe('Sample contact JSON, when no `contactId` is given: attributes are readable as `contact.*`'),
  event: z
    .object({ name: z.string().optional(), properties: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .describe('A sample triggering event, readable as `event`'),
});

export type PreviewRequest = z.infer<typeof previewRequest>;

export interface PreviewAnswer extends RenderedParts {
  /** SMS templates: the rendered text's segment count and character set. */
  sms?: SmsSegments;
}

const emptyAnalytics: TemplateAnalytics = {
  rfm: null,
  clv: null,
  cluster: null,
  recommendations: [],
  boughtTogether: {},
  productPairs: async () => ({}),
};

/** A contact made of sample JSON: known fields go where a stored contact keeps them, the rest are attributes. */
function sampleContact(sample: NonNullable<PreviewRequest['contact']>): ContactSnapshot {
  const { email, phone, timezone, attributes, ...rest } = sample;
  return {
    id: '00000000-0000-4000-8000-000000000000',
    externalId: null,
    email: email ?? null,
    phone: phone ?? null,
    timezone: timezone ?? null,
    attributes: { ...rest, ...(attributes ?? {}) },
    tags: [],
    subscriptions: {},
  };
}

/**
 * Renders a template for one contact (stored, or sample JSON) exactly as a send would, except
 * that links point at placeholders and nothing is recorded. A template that cannot render
 * answers 422 with the reason.
 */
export async function previewTemplate(
  db: Db,
  workspaceId: string,
  template: Pick<TemplateRow, 'name' | 'subject' | 'preheader' | 'body' | 'html'> & { channel?: string },
  request: PreviewRequest,
  publicUrl = '',
): Promise<PreviewAnswer> {
  let contact: ContactSnapshot;
  let analytics = emptyAnalytics;
  if (request.contactId) {
    contact = toSnapshot(await getContact(db, workspaceId, request.contactId));
    analytics = await loadTemplateAnalytics(db, workspaceId, contact.id);
  } else if (request.contact) {
    contact = sampleContact(request.contact);
  } else {
    throw new InvalidInput('preview_contact_missing', 'Give a contactId or a sample contact', 'contactId');
  }
  const scope = renderScope({
    contact,
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
    analytics,
    content: contentLookup(db, workspaceId, publicUrl),
  });
  const rendered: PreviewAnswer = await renderParts(
    { subject: template.subject, preheader: template.preheader, text: template.body, html: template.html },
    scope,
    { partials: await loadPartials(db, workspaceId), templateName: template.name },
  );
  if (template.channel === 'sms') rendered.sms = smsSegments(rendered.text ?? '');
  return rendered;
}

export async function previewStoredTemplate(
  db: Db,
  workspaceId: string,
  id: string,
  request: PreviewRequest,
  publicUrl = '',
) {
  return previewTemplate(db, workspaceId, await getTemplate(db, workspaceId, id), request, publicUrl);
}

/** An unsaved template as the studio holds it: MJML is compiled the way a save would. */
export interface DraftTemplate {
  name?: string;
  channel?: string;
  subject?: string | null;
  preheader?: string | null;
  body: string;
  html?: string | null;
  mjml?: string | null;
}

export async function previewDraft(
  db: Db,
  workspaceId: string,
  draft: DraftTemplate,
  request: PreviewRequest,
  publicUrl = '',
) {
  return previewTemplate(
    db,
    workspaceId,
    {
      name: draft.name ?? 'preview',
      channel: draft.channel,
      subject: draft.subject ?? null,
      preheader: draft.preheader ?? null,
      body: draft.body,
      html: draft.mjml ? await compileMjml(draft.mjml) : (draft.html ?? null),
    },
    request,
    publicUrl,
  );
}
