import { DomainError } from '../../errors';
import { type LiquidRenderer, liquidFor } from './liquid';

/** A template that cannot render: the reason names the part and the Liquid error, line included. */
export class TemplateRenderFailed extends DomainError {
  constructor(part: string, reason: string, template?: string) {
    const at = /line:(\d+), col:(\d+)/.exec(reason);
    super(
      'template_render_failed',
      `${template ? `template “${template}” ` : ''}${part} failed to render: ${reason}`,
      'unprocessable',
      part,
      at ? { line: Number(at[1]), column: Number(at[2]) } : undefined,
    );
  }
}

export interface TemplateParts {
  subject?: string | null;
  preheader?: string | null;
  /** Plain text (email text part, SMS text, Slack text, push body, webhook JSON body). */
  text?: string | null;
  html?: string | null;
}

export interface RenderedParts {
  subject?: string;
  preheader?: string;
  text?: string;
  html?: string;
}

/** What a template can read: contact, triggering event, journey, earlier steps, links. */
export type RenderScope = Record<string, unknown>;

/**
 * Renders every part or none: the first failing part throws `TemplateRenderFailed`, so a
 * half-rendered message never reaches a connector. HTML is escaped; the other parts are not.
 */
export async function renderParts(
  parts: TemplateParts,
  scope: RenderScope,
  options: { partials?: Record<string, string>; templateName?: string } = {},
): Promise<RenderedParts> {
  const partials = options.partials ?? {};
  /** The kept engines this render uses: plain text (false) and HTML (true). */
  const engines = new Map<boolean, LiquidRenderer>();
  const rendered: RenderedParts = {};
  for (const part of ['subject', 'preheader', 'text', 'html'] as const) {
    const source = parts[part];
    if (source === undefined || source === null) continue;
    try {
      const html = part === 'html';
      let engine = engines.get(html);
      if (!engine) {
        engine = liquidFor({ html, partials });
        engines.set(html, engine);
      }
      const output = await engine.render(source, scope);
      rendered[part] = part === 'subject' ? output.replace(/\s+/g, ' ').trim() : output;
    } catch (error) {
      throw new TemplateRenderFailed(part, readable(error), options.templateName);
    }
  }
  return rendered;
}

function readable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // liquidjs appends the whole source excerpt on new lines; the first line carries the reason.
  return message.split('\n')[0];
}
