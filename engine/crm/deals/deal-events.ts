import type { Db } from '../../../db';
import { storeContactEvent } from '../../audience/ingest/contact-event';
import type { Tx } from '../../audience/ingest/tx';

export const DEAL_CREATED = 'Deal Created';
export const DEAL_STAGE_CHANGED = 'Deal Stage Changed';

/** What every deal event carries; journeys filter on these properties (e.g. `stageId`). */
export interface DealEventProperties {
  dealId: string;
  title: string;
  pipelineId: string;
  stageId: string;
  stage: string;
  previousStageId: string | null;
  previousStage: string | null;
  value: number;
  currency: string;
  status: string;
  ownerUserId: string | null;
}

/**
 * Stores one event per deal contact, in the caller's transaction (a savepoint each), so a deal
 * change and the events journeys react to commit together. `changeKey` makes the message id
 * deterministic: the same change stored twice is one event.
 */
export async function storeDealEvents(
  tx: Tx,
  workspaceId: string,
  contactIds: string[],
  name: typeof DEAL_CREATED | typeof DEAL_STAGE_CHANGED,
  changeKey: string,
  properties: DealEventProperties,
  at: Date,
): Promise<void> {
  for (const contactId of contactIds) {
    // A transaction nests as a savepoint: the event commits or rolls back with the deal change.
    await storeContactEvent(tx as unknown as Db, {
      workspaceId,
      contactId,
      messageId: `deal:${properties.dealId}:${changeKey}:${contactId}`,
      name,
      properties: { ...properties },
      context: { source: 'crm' },
      timestamp: at,
    });
  }
}
