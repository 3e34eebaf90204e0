import { InvalidInput } from '../../errors';

export interface MjmlProblem {
  line: number;
  message: string;
}

/** MJML (a large module tree) is loaded on its first use, not at start. */
const mjml2html = async (...args: Parameters<Compile>) =>
  ((await import('mjml')).default as unknown as Compile)(...args);

type Compile = (
  source: string,
  options: { validationLevel: 'soft' | 'strict' | 'skip'; keepComments?: boolean },
) => Promise<{ html: string; errors: { line: number; message: string }[] }>;

/** MJML validation errors at their line, without refusing anything (the editor's live check). */
export async function mjmlProblems(source: string): Promise<MjmlProblem[]> {
  try {
    const result = await mjml2html(source, { validationLevel: 'soft' });
    return result.errors.map((e) => ({ line: e.line, message: e.message }));
  } catch (error) {
    return [{ line: 1, message: (error as Error).message.split('\n')[0] }];
  }
}

/**
 * Compiles MJML to responsive HTML. Liquid inside MJML text and attributes passes through
 * untouched and is rendered at send time. Any MJML validation error refuses the save, at its line.
 */
export async function compileMjml(source: string): Promise<string> {
  let result: Awaited<ReturnType<Compile>>;
  try {
    result = await mjml2html(source, {
      validationLevel: 'soft',
      keepComments: false,
    });
  } catch (error) {
    throw new InvalidInput('template_mjml', `mjml: ${(error as Error).message.split('\n')[0]}`, 'mjml', {
      line: 1,
      column: 1,
    });
  }
  const [first] = result.errors;
  if (first) {
    throw new InvalidInput('template_mjml', `mjml line ${first.line}: ${first.message}`, 'mjml', {
      line: first.line,
      column: 1,
      problems: result.errors.map((e) => ({ part: 'mjml', line: e.line, column: 1, message: e.message })),
    });
  }
  return result.html;
}
