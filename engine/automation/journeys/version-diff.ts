import type { Db } from '../../../db';
import { InvalidInput } from '../../errors';
import { diffJourneys, type JourneyDiff } from './diff';
import { getJourney, getVersion } from './journeys';
import type { JourneyGraphInput } from './model';

/** A version number, or `draft` for the unpublished draft. */
export type VersionRef = number | 'draft';

export interface VersionDiff extends JourneyDiff {
  from: VersionRef;
  to: VersionRef;
}

async function graphAt(db: Db, workspaceId: string, journeyId: string, ref: VersionRef) {
  if (ref === 'draft')
    return (await getJourney(db, workspaceId, journeyId)).draft as unknown as JourneyGraphInput;
  return (await getVersion(db, workspaceId, journeyId, ref)).graph as unknown as JourneyGraphInput;
}

/**
 * The diff between two versions of a journey (or a version and the draft). Without `from`, the
 * active version; without `to`, the draft.
 */
export async function diffVersions(
  db: Db,
  workspaceId: string,
  journeyId: string,
  refs: { from?: VersionRef; to?: VersionRef } = {},
): Promise<VersionDiff> {
  const journey = await getJourney(db, workspaceId, journeyId);
  const from = refs.from ?? journey.activeVersion ?? undefined;
  if (from === undefined) {
    throw new InvalidInput(
      'journey_unpublished',
      'The journey has no published version to compare with',
      'from',
    );
  }
  const to = refs.to ?? 'draft';
  const diff = diffJourneys(
    await graphAt(db, workspaceId, journeyId, from),
    await graphAt(db, workspaceId, journeyId, to),
  );
  return { from, to, ...diff };
}

/** Parses `3`, `v3` or `draft`. */
export function parseVersionRef(value: string, field: string): VersionRef {
  if (value === 'draft') return 'draft';
  const match = /^v?(\d{1,9})$/.exec(value);
  if (!match || Number(match[1]) < 1) {
    throw new InvalidInput('version_invalid', `"${value}" is not a version number or "draft"`, field);
  }
  return Number(match[1]);
}
