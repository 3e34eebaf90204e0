import { gunzipSync, inflateSync } from 'node:zlib';
import { PayloadTooLarge, UnsupportedEncoding } from '../audience/ingest/errors';
import { InvalidInput } from '../errors';

/**
 * Decompresses and parses a tracking request body whatever its Content-Type says. The limit
 * applies to the decompressed bytes, and zlib stops at it, so a gzip bomb costs nothing.
 */
export function readJsonBody(raw: Buffer, encoding: string | undefined, limit: number): unknown {
  const body = decompress(raw, (encoding ?? 'identity').trim().toLowerCase(), limit);
  if (body.length > limit) throw tooLarge(limit);
  if (body.length === 0) throw new InvalidInput('body_empty', 'The request body is empty', 'body');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidInput('body_not_json', 'The request body is not valid JSON', 'body');
  }
}

function decompress(raw: Buffer, encoding: string, limit: number): Buffer {
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    throw new UnsupportedEncoding(encoding);
  }
  try {
    const inflate = encoding === 'deflate' ? inflateSync : gunzipSync;
    return inflate(raw, { maxOutputLength: limit + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new InvalidInput('body_not_decodable', `The body is not valid ${encoding} data`, 'body');
  }
}

function tooLarge(limit: number): PayloadTooLarge {
  return new PayloadTooLarge(`The decompressed body is larger than ${Math.round(limit / 1024)} KB`, 'body');
}
