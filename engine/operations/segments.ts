import {
  updateSegment as changeSegment,
  createSegment as insertSegment,
  deleteSegment as removeSegment,
  type SegmentInput,
  type SegmentRow,
} from '../audience/segments/segments';
import type { TemporalDeps } from '../automation/runs/enroll';
import { journeysTriggeredBySegment } from '../automation/triggers/trigger-index';
import { refreshSegment } from './segment-membership';

/** Creates a segment and computes its membership at once; contacts entering it enroll. */
export async function createSegment(
  deps: TemporalDeps,
  workspaceId: string,
  input: SegmentInput,
): Promise<SegmentRow & { members: number }> {
  const segment = await insertSegment(deps.db, workspaceId, input);
  const membership = await refreshSegment(deps, segment);
  return { ...segment, members: membership.entered };
}

/** Changes a segment; membership is re-evaluated and contacts entering it enroll. */
export async function updateSegment(
  deps: TemporalDeps,
  workspaceId: string,
  segmentId: string,
  input: Partial<SegmentInput>,
) {
  const segment = await changeSegment(deps.db, workspaceId, segmentId, input);
  const membership = await refreshSegment(deps, segment);
  return { ...segment, membership };
}

/** Deletes a segment, refused while an active journey is triggered by it. */
export async function deleteSegment(deps: TemporalDeps, workspaceId: string, segmentId: string) {
  const users = await journeysTriggeredBySegment(deps.db, workspaceId, segmentId);
  await removeSegment(
    deps.db,
    workspaceId,
    segmentId,
    users.map((journey) => journey.journeyId),
  );
}
