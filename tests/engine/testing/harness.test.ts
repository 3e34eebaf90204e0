import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { defineNode, NodeError, nextPort, z } from 'wayline/sdk';
import { testNode } from 'wayline/testing';

const profile = defineNode({
  type: 'fixture.profile',
  version: 1,
  kind: 'action',
  title: 'Profile',
  category: 'Fixtures',
  config: z.object({ mode: z.enum(['change', 'fatal', 'retry', 'crash']).default('change') }),
  ports: [nextPort],
  async execute(config, ctx) {
    if (config.mode === 'fatal') throw NodeError.fatal('bad input', { field: 'x' });
    if (config.mode === 'retry') throw NodeError.retryable('busy');
    if (config.mode === 'crash') throw new TypeError('oops');
    await ctx.updateContact({
      set: { plan: 'pro', visits: 2 },
      unset: ['legacy'],
      addTags: ['vip'],
      removeTags: ['new'],
    });
    await ctx.emitEvent('Profile Updated', { by: ctx.nodeId });
    await ctx.recordMessage({ channel: 'note', status: 'captured', body: 'hello' });
    ctx.logger.info('done', { plan: 'pro' });
    return {
      output: { trigger: ctx.trigger?.name, previous: ctx.steps.before?.value, runId: ctx.runId },
    };
  },
});

let setups = 0;
const withTable = defineNode({
  type: 'fixture.with-table',
  version: 1,
  kind: 'action',
  title: 'With table',
  category: 'Fixtures',
  config: z.object({}),
  ports: [nextPort, { id: 'error', label: 'Failed' }],
  async setup(db) {
    setups++;
    await db.execute(sql`create table if not exists fixture_harness_rows (workspace_id uuid not null)`);
  },
  async execute(_config, ctx) {
    await ctx.db.execute(sql`insert into fixture_harness_rows values (${ctx.workspaceId})`);
    throw NodeError.fatal('stop here');
  },
});

describe('testNode harness (PGlite, no Temporal)', () => {
  it('reports output, port, contact changes, emitted events, messages and logs', async () => {
    const result = await testNode(profile, {
      config: {},
      contact: { email: 'ada@example.com', attributes: { legacy: true, visits: 1 }, tags: ['new', 'keep'] },
      trigger: { name: 'Signed Up' },
      steps: { before: { value: 42 } },
    });

    expect(result.error).toBeUndefined();
    expect(result.port).toBe('next');
    expect(result.output).toEqual({
      trigger: 'Signed Up',
      previous: 42,
      runId: expect.stringMatching(/^wl:/),
    });
    expect(result.contactChanges).toEqual({
      set: { plan: 'pro', visits: 2 },
      unset: ['legacy'],
      addTags: ['vip'],
      removeTags: ['new'],
    });
    expect(result.emittedEvents).toEqual([{ name: 'Profile Updated', properties: { by: 'node' } }]);
    expect(result.messages).toMatchObject([{ channel: 'note', status: 'captured', body: 'hello' }]);
    expect(result.logs).toMatchObject([
      { level: 'info', message: 'done', fields: { plan: 'pro', nodeId: 'node' } },
    ]);
  });

  it('reports a fatal error with no error port as the run failing there', async () => {
    const result = await testNode(profile, { config: { mode: 'fatal' } });
    expect(result.error).toEqual({ message: 'bad input', retryable: false, details: { field: 'x' } });
    expect(result.port).toBeNull();
  });

  it('reports retryable and unexpected errors as retryable', async () => {
    expect((await testNode(profile, { config: { mode: 'retry' } })).error).toMatchObject({ retryable: true });
    expect((await testNode(profile, { config: { mode: 'crash' } })).error).toMatchObject({
      retryable: true,
      message: 'oops',
    });
  });

  it('runs the setup hook once and takes the error port on a fatal error', async () => {
    const first = await testNode(withTable, { config: {} });
    const second = await testNode(withTable, { config: {} });
    expect(setups).toBe(1);
    expect(first.port).toBe('error');
    expect(second.error?.message).toBe('stop here');
    const rows = await second.db.execute(sql`select count(*)::int as n from fixture_harness_rows`);
    expect(JSON.stringify(rows)).toContain('"n":2');
  });

  it('refuses a config the schema rejects', async () => {
    await expect(testNode(profile, { config: { mode: 'nope' as 'change' } })).rejects.toThrow(/mode/);
  });
});
