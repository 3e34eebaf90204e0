import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNode } from 'wayline/testing';
import { httpEnrich } from './http-enrich';

/** A small enrichment API on 127.0.0.1: the answer depends on the email asked for. */
function enrichmentApi() {
  const requests: { url: string; authorization?: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ url: url.pathname + url.search, authorization: req.headers.authorization });
    const email = url.searchParams.get('email') ?? '';
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer s3cret') return reply(401, { error: 'bad token' });
    if (email.startsWith('down')) return reply(503, { error: 'maintenance' });
    if (email.startsWith('unknown')) return reply(404, { error: 'no such person' });
    if (email.startsWith('slow')) return; // never answers: the client's timeout must fire
    return reply(200, { company: { name: 'Acme', size: 250 }, title: 'CTO', verified: true, tags: ['x'] });
  });
  return { server, requests };
}

describe('http.enrich (harness on PGlite, local HTTP server)', () => {
  const api = enrichmentApi();
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/v1/person`;
  });
  afterAll(async () => {
    api.server.closeAllConnections();
    await new Promise((resolve) => api.server.close(resolve));
  });

  const secrets = { ENRICH_TOKEN: 's3cret' };

  it('stores the mapped fields of the answer on the contact, with the secret as Bearer token', async () => {
    const result = await testNode(httpEnrich, {
      config: { url, tokenSecret: 'ENRICH_TOKEN', fields: { 'company.name': 'company', title: 'jobTitle' } },
      contact: { email: 'ada@example.com' },
      secrets,
    });

    expect(result.error).toBeUndefined();
    expect(result.contactChanges.set).toEqual({ company: 'Acme', jobTitle: 'CTO' });
    expect(result.output).toEqual({ enriched: true, company: 'Acme', jobTitle: 'CTO' });
    expect(api.requests.at(-1)).toEqual({
      url: '/v1/person?email=ada%40example.com',
      authorization: 'Bearer s3cret',
    });
  });

  it('stores every top-level scalar field when no mapping is given', async () => {
    const result = await testNode(httpEnrich, {
      config: { url, tokenSecret: 'ENRICH_TOKEN' },
      contact: { email: 'ada@example.com' },
      secrets,
    });
    expect(result.contactChanges.set).toEqual({ title: 'CTO', verified: true });
  });

  it('fails retryably on a 5xx answer, changing nothing', async () => {
    const result = await testNode(httpEnrich, {
      config: { url, tokenSecret: 'ENRICH_TOKEN' },
      contact: { email: 'down@example.com' },
      secrets,
    });
    expect(result.error).toMatchObject({ retryable: true, message: expect.stringContaining('503') });
    expect(result.contactChanges.set).toEqual({});
  });

  it('fails fatally on a 4xx answer and leaves by the error port', async () => {
    const result = await testNode(httpEnrich, {
      config: { url, tokenSecret: 'ENRICH_TOKEN' },
      contact: { email: 'unknown@example.com' },
      secrets,
    });
    expect(result.error).toMatchObject({ retryable: false, message: expect.stringContaining('404') });
    expect(result.port).toBe('error');
  });

  it('fails retryably when the API does not answer in time', async () => {
    const result = await testNode(httpEnrich, {
      config: { url, tokenSecret: 'ENRICH_TOKEN', timeoutMs: 200 },
      contact: { email: 'slow@example.com' },
      secrets,
    });
    expect(result.error).toMatchObject({ retryable: true, message: expect.stringContaining('timed out') });
  });

  it('fails fatally, naming the secret, when the workspace does not have it', async () => {
    const result = await testNode(httpEnrich, {
      config: { url, tokenSecret: 'ENRICH_TOKEN' },
      contact: { email: 'ada@example.com' },
    });
    expect(result.error).toMatchObject({
      retryable: false,
      message: expect.stringContaining('ENRICH_TOKEN'),
    });
  });

  it('skips a contact without email', async () => {
    const result = await testNode(httpEnrich, { config: { url }, secrets });
    expect(result.output).toEqual({ enriched: false, reason: 'the contact has no email' });
    expect(result.port).toBe('next');
  });
});
