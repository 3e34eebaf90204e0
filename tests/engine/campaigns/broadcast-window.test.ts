import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../db/schema';
import { broadcastProgress } from '../../../engine/campaigns/progress';
import { launchBroadcast } from '../../../engine/operations/launch-broadcast';
import { draftBroadcast, seedAudience, timeSkippingBroadcastStack } from './fixtures';

describe('a broadcast keeps to its send window (time-skipping server, PGlite)', () => {
  let stack: Awaited<ReturnType<typeof timeSkippingBroadcastStack>>;
  beforeAll(async () => {
    stack = await timeSkippingBroadcastStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('waits for the window, stops when it closes and goes on the next day where it stopped', async () => {
    const { db } = stack;
    const seeded = await seedAudience(db, 9, 'Window workspace');
    // Window 09:00–09:01 UTC (the workspace has no zone), 6 a minute: one message per batch,
    // ten seconds apart, so six fit in a day's window (09:00:00 … 09:00:50) and three wait.
    const draft = await draftBroadcast(db, seeded, {
      throttlePerMinute: 6,
      sendWindow: { start: '09:00', end: '09:01' },
    });
    await launchBroadcast(stack.deps(), seeded.workspace.id, draft.id, await stack.now());
    await stack.result(seeded.workspace.id, draft.id);
    const sent = await db.select().from(messages).where(eq(messages.broadcastId, draft.id));
    expect(sent).toHaveLength(9);
    const times = sent.map((m) => m.createdAt).sort((a, b) => a.getTime() - b.getTime());
    // Every send inside the window, on the policy's (workflow's) clock.
    for (const t of times) expect([t.getUTCHours(), t.getUTCMinutes()]).toEqual([9, 0]);
    const days = [...new Set(times.map((t) => t.toISOString().slice(0, 10)))];
    // At most six fit in one day's window (fewer when a batch takes long on a loaded machine):
    // the rest waited for the next day's window, which opens exactly a day later.
    const perDay = days.map((d) => times.filter((t) => t.toISOString().startsWith(d)).length);
    expect(days.length).toBeGreaterThanOrEqual(2);
    for (const n of perDay) expect(n).toBeLessThanOrEqual(6);
    for (let i = 1; i < days.length; i++)
      expect(Date.parse(days[i]) - Date.parse(days[i - 1])).toBe(86_400_000);
    expect(await broadcastProgress(db, seeded.workspace.id, draft.id)).toMatchObject({
      status: 'completed',
      sent: 9,
      queued: 0,
    });
  }, 300_000);
});
