import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../engine/sdk/http';
import { isNodeError, type NodeError } from '../../../engine/sdk/node-error';
import { freePort } from '../../helpers/ports';

/** Answers with the status in the path (`/status/503`), hangs on `/hang`, echoes JSON bodies on `/echo`. */
const server: Server = createServer((req, res) => {
  if (req.url === '/hang') return;
  if (req.url === '/echo') {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: JSON.parse(body), contentType: req.headers['content-type'] }));
    });
    return;
  }
  const status = Number(new URL(req.url ?? '/', 'http://localhost').pathname.split('/')[2] ?? 200);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status }));
});
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isNodeError(error)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

describe('ctx.http (local node:http server)', () => {
  const http = createHttpClient();

  it('parses a JSON answer and sends a JSON body', async () => {
    expect(await http.json(`${base}/status/200`)).toEqual({ status: 200 });
    expect(await http.json(`${base}/echo`, { method: 'POST', json: { a: 1 } })).toEqual({
      received: { a: 1 },
      contentType: 'application/json',
    });
  });

  it.each([500, 502, 503, 429, 408])('makes %i retryable', async (status) => {
    const error = await failure(http.json(`${base}/status/${status}`));
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ status });
  });

  it.each([400, 401, 403, 404, 422])('makes %i fatal', async (status) => {
    const error = await failure(http.json(`${base}/status/${status}`));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(String(status));
  });

  it('makes a timeout retryable', async () => {
    const error = await failure(http.json(`${base}/hang`, { timeoutMs: 150 }));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timed out after 150 ms');
  });

  it('makes a refused connection retryable', async () => {
    const error = await failure(http.fetch(`http://127.0.0.1:${await freePort()}/`));
    expect(error.retryable).toBe(true);
  });

  it('returns any status unchanged from plain fetch', async () => {
    const response = await http.fetch(`${base}/status/404`);
    expect(response.status).toBe(404);
  });

  it('keeps the query string (which may hold keys) out of error messages', async () => {
    const error = await failure(http.json(`${base}/status/401?api_key=abc123`));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('/status/401');
    expect(error.message).not.toContain('abc123');
  });
});
