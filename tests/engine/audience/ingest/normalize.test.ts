import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { basicUsername } from '../../../../engine/api/basic-auth';
import { readJsonBody } from '../../../../engine/api/body';
import { cleanJson } from '../../../../engine/audience/ingest/clean-strings';
import { normalizeMessage } from '../../../../engine/audience/ingest/normalize';
import { correctedTimestamp } from '../../../../engine/audience/ingest/timestamps';

const receivedAt = new Date('2024-06-01T12:00:00.000Z');

describe('tracking message normalization', () => {
  it('corrects the client clock from sentAt, falling back to timestamp, then to arrival', () => {
    expect(
      correctedTimestamp(receivedAt, {
        originalTimestamp: '2024-06-01T08:00:00Z',
        sentAt: '2024-06-01T08:00:05Z',
      }),
    ).toEqual(new Date('2024-06-01T11:59:55.000Z'));
    expect(correctedTimestamp(receivedAt, { timestamp: '2024-05-01T00:00:00Z' })).toEqual(
      new Date('2024-05-01T00:00:00Z'),
    );
    expect(correctedTimestamp(receivedAt, {})).toBe(receivedAt);
  });

  it("uses the batch's sentAt for a message without its own", () => {
    const result = normalizeMessage(
      { type: 'track', userId: 'u', event: 'E', timestamp: '2024-06-01T10:00:00Z' },
      { receivedAt, sentAt: '2024-06-01T10:00:30Z' },
    );
    expect(result.ok && result.message.timestamp).toEqual(new Date('2024-06-01T11:59:30.000Z'));
  });

  it('cleans NUL and unpaired surrogates but keeps valid pairs', () => {
    const cleaned: string[] = [];
    expect(cleanJson({ a: ['x\u0000'], b: '😀', c: '\udc00' }, 'properties', cleaned)).toEqual({
      a: ['x'],
      b: '😀',
      c: '\uFFFD',
    });
    expect(cleaned).toEqual(['properties.a.0', 'properties.c']);
  });

  it('reads the Basic username with or without a colon, and nothing else', () => {
    const b64 = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(basicUsername(b64('key:'))).toBe('key');
    expect(basicUsername(b64('key'))).toBe('key');
    expect(basicUsername(b64('key:ignored'))).toBe('key');
    expect(basicUsername(b64(':'))).toBeUndefined();
    expect(basicUsername('Bearer key')).toBeUndefined();
  });

  it('limits the decompressed size, so a small gzip of a huge body is refused', () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(() => readJsonBody(bomb, 'gzip', 500 * 1024)).toThrow(/larger than 500 KB/);
    expect(readJsonBody(gzipSync(Buffer.from('{"a":1}')), 'gzip', 100)).toEqual({ a: 1 });
    expect(() => readJsonBody(Buffer.from('{}'), 'br', 100)).toThrow(/not supported/);
  });
});
