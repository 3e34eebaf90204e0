import { z } from 'zod';
import { suppressions, templateVersions } from '../../../db/schema';
import type { TestSendOutcome } from '../../messaging/channels/test-send';
import type { listSuppressions } from '../../messaging/policy/suppression';
import type { TemplateFields } from '../../messaging/templates/fields';
import type { PreviewAnswer } from '../../messaging/templates/preview';
import type { SyntaxProblem } from '../../messaging/templates/syntax';
import { describes, type Json, rowSchema } from './common';

export const templateVersionSchema = rowSchema(templateVersions).meta({ id: 'TemplateVersion' });

export const smsSegmentsSchema = z
  .object({
    encoding: z.enum(['GSM-7', 'UCS-2']),
    characters: z.number().int(),
    units: z.number().int().describe('Septets (GSM-7) or UTF-16 code units (UCS-2)'),
    segments: z.number().int(),
    perSegment: z.number().int().describe('160/153 (GSM-7) or 70/67 (UCS-2)'),
    remaining: z.number().int().describe('Units left in the last segment'),
  })
  .meta({ id: 'SmsSegments' });

export const previewSchema = describes<PreviewAnswer>()(
  z
    .object({
      subject: z.string().optional(),
      preheader: z.string().optional(),
      text: z.string().optional(),
      html: z.string().optional(),
      sms: smsSegmentsSchema.optional().describe('SMS templates: segments and character set'),
    })
    .meta({ id: 'TemplatePreview' }),
);

export const syntaxProblemSchema = describes<SyntaxProblem>()(
  z
    .object({
      part: z.enum(['subject', 'preheader', 'body', 'html', 'mjml']),
      line: z.number().int(),
      column: z.number().int(),
      message: z.string(),
    })
    .meta({ id: 'TemplateSyntaxProblem' }),
);

export const templateFieldsSchema = describes<TemplateFields>()(
  z
    .object({
      builtIn: z.array(z.string()),
      contactAttributes: z.array(z.string()),
      events: z.array(z.object({ name: z.string(), properties: z.array(z.string()) })),
      snippets: z.array(z.string()),
      layouts: z.array(z.string()),
      assets: z.array(z.object({ id: z.string(), filename: z.string(), contentType: z.string() })),
      contentItems: z.array(z.object({ id: z.string(), title: z.string(), kind: z.string() })),
      filters: z.array(z.object({ name: z.string(), detail: z.string() })),
    })
    .meta({ id: 'TemplateFields' }),
);

export const testSendSchema = describes<TestSendOutcome>()(
  z
    .object({
      messageId: z.string(),
      provider: z.string(),
      providerId: z.string(),
      status: z.string(),
      captured: z.boolean().describe('No provider is configured: the dev outbox kept the message'),
    })
    .meta({ id: 'TestSend' }),
);

export const suppressionSchema = describes<Awaited<ReturnType<typeof listSuppressions>>[number]>()(
  rowSchema(suppressions).meta({ id: 'Suppression' }),
);

export type TemplateVersion = Json<z.output<typeof templateVersionSchema>>;
export type TemplatePreview = z.output<typeof previewSchema>;
export type TemplateSyntaxProblem = z.output<typeof syntaxProblemSchema>;
export type TestSend = z.output<typeof testSendSchema>;
export type Suppression = Json<z.output<typeof suppressionSchema>>;
