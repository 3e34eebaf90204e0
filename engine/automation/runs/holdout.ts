import { createHash } from 'node:crypto';
import type { Db } from '../../../db';
import { journeyHoldouts } from '../../../db/schema';

/**
 * A contact's fixed place in [0, 1) for a journey: the first 32 bits of
 * sha256("<journey id>:<contact id>") over 2^32. The same contact always lands at the same place,
 * so it stays in the same group however often it would enter.
 */
export function holdoutBucket(journeyId: string, contactId: string): number {
  return createHash('sha256').update(`${journeyId}:${contactId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Whether a journey with this holdout share keeps the contact in its control group. */
export function inJourneyHoldout(holdoutShare: number, journeyId: string, contactId: string): boolean {
  return holdoutShare > 0 && holdoutBucket(journeyId, contactId) < holdoutShare;
}

/** Records a held-out contact once; the first time it was held out stays its entry time. */
export async function recordHoldout(
  db: Db,
  row: { workspaceId: string; journeyId: string; contactId: string },
): Promise<void> {
  await db.insert(journeyHoldouts).values(row).onConflictDoNothing();
}
