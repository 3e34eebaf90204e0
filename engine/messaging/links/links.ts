import type { SecretBox } from '../../identity/secret-box';
import { createToken } from './tokens';

export interface MessageLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  openPixelUrl: string;
  statusCallbackUrl: string;
  click(url: string): string;
}

/** The public, signed links of one message (all under `/t/`, no API key needed). */
export function messageLinks(
  box: SecretBox,
  publicUrl: string,
  workspaceId: string,
  messageId: string,
): MessageLinks {
  const base = `${publicUrl.replace(/\/$/, '')}/t`;
  const token = (k: 'o' | 'c' | 'u' | 's', u?: string) =>
    createToken(box, { k, w: workspaceId, m: messageId, u });
  const unsubscribe = token('u');
  return {
    unsubscribeUrl: `${base}/u/${unsubscribe}`,
    preferencesUrl: `${base}/u/${unsubscribe}`,
    openPixelUrl: `${base}/o/${token('o')}`,
    statusCallbackUrl: `${base}/status/${token('s')}`,
    click: (url) => `${base}/c/${token('c', url)}`,
  };
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');
const encodeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/**
 * Points every http(s) link of an email at the click redirect and appends the open pixel.
 * Unsubscribe and preference links stay as they are, so a click never counts as interest.
 */
export function trackHtml(html: string, links: MessageLinks): string {
  const rewritten = html.replace(
    /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi,
    (whole, prefix: string, _quote: string, href: string) => {
      const target = decodeEntities(href);
      if (target.startsWith(links.unsubscribeUrl)) return whole;
      return `${prefix}"${encodeAttr(links.click(target))}"`;
    },
  );
  const pixel = `<img src="${encodeAttr(links.openPixelUrl)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
  return /<\/body>/i.test(rewritten)
    ? rewritten.replace(/<\/body>/i, `${pixel}</body>`)
    : `${rewritten}${pixel}`;
}
