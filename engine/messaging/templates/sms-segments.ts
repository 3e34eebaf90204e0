/** The GSM 03.38 default alphabet: one septet each. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: an escape septet plus one, so two septets each. */
const GSM_EXTENDED = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

export interface SmsSegments {
  /** `GSM-7` when every character is in the GSM default alphabet or its extension, else `UCS-2`. */
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as a person counts them (code points). */
  characters: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
  /** Units one segment holds for this text: 160/153 (GSM-7), 70/67 (UCS-2). */
  perSegment: number;
  /** Units left in the last segment before another one starts. */
  remaining: number;
}

/**
 * How many SMS segments a text needs. A single message holds 160 GSM-7 septets or 70 UCS-2
 * units; a concatenated one loses 7 septets (6 octets of UDH) per part: 153 or 67. A character
 * never splits across parts: an escaped GSM character (2 septets) or a surrogate pair (2 units)
 * that does not fit moves whole to the next part, as handsets and gateways do.
 */
export function smsSegments(text: string): SmsSegments {
  const chars = Array.from(text);
  const gsm = chars.every((c) => basic.has(c) || extended.has(c));
  const cost = (c: string) => (gsm ? (extended.has(c) ? 2 : 1) : c.length);
  const units = chars.reduce((sum, c) => sum + cost(c), 0);
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  if (units <= single) {
    return {
      encoding: gsm ? 'GSM-7' : 'UCS-2',
      characters: chars.length,
      units,
      segments: units === 0 ? 0 : 1,
      perSegment: single,
      remaining: single - units,
    };
  }
  let segments = 1;
  let used = 0;
  for (const c of chars) {
    const n = cost(c);
    if (used + n > multi) {
      segments += 1;
      used = 0;
    }
    used += n;
  }
  return {
    encoding: gsm ? 'GSM-7' : 'UCS-2',
    characters: chars.length,
    units,
    segments,
    perSegment: multi,
    remaining: multi - used,
  };
}
