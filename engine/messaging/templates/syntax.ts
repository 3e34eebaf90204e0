import { createLiquid } from './liquid';

/** The Liquid parts of a template, as stored. */
export const templateParts = ['subject', 'preheader', 'body', 'html', 'mjml'] as const;
export type TemplatePart = (typeof templateParts)[number];

/** A syntax problem at a line and column (1-based) of one part of a template. */
export interface SyntaxProblem {
  part: TemplatePart;
  line: number;
  column: number;
  message: string;
}

/** Where liquidjs reports a parse error: its token's position, or the `line:N, col:M` of its message. */
function positionOf(error: unknown): { line: number; column: number } {
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  const position = token?.getPosition?.();
  if (position) return { line: position[0], column: position[1] };
  const match = /line:(\d+), col:(\d+)/.exec((error as Error).message ?? '');
  return match ? { line: Number(match[1]), column: Number(match[2]) } : { line: 1, column: 1 };
}

/**
 * Parses every part and lists the Liquid syntax errors with their line and column. Unknown
 * variables are not syntax errors (they depend on the contact); they show in a preview.
 */
export function liquidProblems(
  parts: Partial<Record<TemplatePart, string | null | undefined>>,
): SyntaxProblem[] {
  const engine = createLiquid({ html: false, partials: {} });
  const problems: SyntaxProblem[] = [];
  for (const part of templateParts) {
    const source = parts[part];
    if (!source) continue;
    try {
      engine.parse(source);
    } catch (error) {
      // liquidjs appends the source excerpt on new lines and the position to the first one.
      const message = ((error as Error).message ?? String(error))
        .split('\n')[0]
        .replace(/, line:\d+, col:\d+$/, '');
      problems.push({ part, ...positionOf(error), message });
    }
  }
  return problems;
}
