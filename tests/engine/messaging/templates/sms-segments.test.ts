import { describe, expect, it } from 'vitest';
import { smsSegments } from '../../../../engine/messaging/templates/sms-segments';

// Each expectation is worked by hand from the 3GPP TS 23.038/23.040 rules: a single GSM-7 SMS
// holds 160 septets, a part of a concatenated one 153 (the UDH takes 7); UCS-2: 70 and 67 units.
describe('SMS segments and character set', () => {
  it('counts a short GSM-7 text as one segment', () => {
    // "Hello" = 5 septets; 160 − 5 = 155 left.
    expect(smsSegments('Hello')).toEqual({
      encoding: 'GSM-7',
      characters: 5,
      units: 5,
      segments: 1,
      perSegment: 160,
      remaining: 155,
    });
  });

  it('switches to 153-septet parts past 160 septets', () => {
    expect(smsSegments('a'.repeat(160))).toMatchObject({ segments: 1, remaining: 0, perSegment: 160 });
    // 161 = 153 + 8 → 2 parts, 153 − 8 = 145 left.
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153, remaining: 145 });
    // 306 = 2 × 153 exactly; 307 needs a third part with 1 septet.
    expect(smsSegments('a'.repeat(306))).toMatchObject({ segments: 2, remaining: 0 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ segments: 3, remaining: 152 });
  });

  it('counts extension characters as two septets and never splits them', () => {
    // 80 × € = 160 septets: still one message.
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    // 152 a + € + 10 a = 164 septets. Part 1 takes 152 a; the € (2) would make 154 > 153, so it
    // opens part 2: 2 + 10 = 12 septets, 141 left.
    const text = `${'a'.repeat(152)}€${'a'.repeat(10)}`;
    expect(smsSegments(text)).toMatchObject({ units: 164, segments: 2, remaining: 141, characters: 163 });
  });

  it('uses UCS-2 (70/67) as soon as one character is outside the GSM alphabet', () => {
    // Cyrillic: 6 characters, 6 units, 70 − 6 = 64 left.
    expect(smsSegments('Привет')).toEqual({
      encoding: 'UCS-2',
      characters: 6,
      units: 6,
      segments: 1,
      perSegment: 70,
      remaining: 64,
    });
    expect(smsSegments('ж'.repeat(70))).toMatchObject({ segments: 1, remaining: 0 });
    // 71 = 67 + 4 → 2 parts, 63 left.
    expect(smsSegments('ж'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67, remaining: 63 });
    // One "ç" (not in GSM-7; only "Ç" is) turns a Latin text into UCS-2.
    expect(smsSegments('Ça va, garçon').encoding).toBe('UCS-2');
  });

  it('counts an emoji as two UCS-2 units kept in one part', () => {
    // 66 a + 😀 (2 units) = 68 ≤ 70: one message of 67 characters.
    expect(smsSegments(`${'a'.repeat(66)}😀`)).toMatchObject({ units: 68, segments: 1, characters: 67 });
    // 66 a + 😀 + 5 a = 73 units. Part 1: 66 a (the emoji would make 68 > 67), part 2: 2 + 5 = 7.
    expect(smsSegments(`${'a'.repeat(66)}😀${'a'.repeat(5)}`)).toMatchObject({
      units: 73,
      segments: 2,
      remaining: 60,
    });
  });

  it('an empty text is no segment', () => {
    expect(smsSegments('')).toMatchObject({ segments: 0, units: 0 });
  });
});
