declare module 'mjml' {
  const mjml2html: (source: string, options?: Record<string, unknown>) => unknown;
  export default mjml2html;
}
