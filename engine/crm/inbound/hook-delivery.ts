import type { Db } from '../../../db';
import { createHook, type HookInput, type HookView, updateHook } from '../../audience/hooks/hooks';
import { storeDelivery, verifyDelivery } from '../../audience/hooks/receive';
import type { WebhookHeaders } from '../../audience/hooks/signature';
import type { IngestOutcome } from '../../audience/ingest/ingest';
import type { SecretBox } from '../../identity/secret-box';
import type { SlaTemporal } from '../tickets/sla';
import { applyHookActions, checkHookActions, type HookActionResult, planHookActions } from './hook-actions';

/** Creates an inbound webhook after checking what its actions point at (pipeline, stage, owner, assignee). */
export async function createCrmHook(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  input: HookInput,
): Promise<{ hook: HookView; secret: string }> {
  await checkHookActions(db, workspaceId, input.mapping.actions);
  return createHook(db, box, workspaceId, input);
}

/** Renames or re-maps an inbound webhook, with the same checks as creating one. */
export async function updateCrmHook(
  db: Db,
  workspaceId: string,
  hookId: string,
  input: HookInput,
): Promise<HookView> {
  await checkHookActions(db, workspaceId, input.mapping.actions);
  return updateHook(db, workspaceId, hookId, input);
}

export interface HookDeliveryDeps {
  db: Db;
  box: SecretBox;
  /** Where the SLA timers of tickets the hook opens run. */
  sla?: SlaTemporal;
}

/**
 * Accepts one signed delivery: verifies it, reads what its actions need from the payload (a
 * payload they cannot use is refused before anything is stored), stores the event, then opens or
 * updates the deals and opens the tickets its mapping asks for, for the event's contact. A
 * redelivery is a duplicate event, and its actions find what the first delivery made.
 */
export async function receiveHookDelivery(
  deps: HookDeliveryDeps,
  hookId: string,
  headers: WebhookHeaders,
  rawBody: Buffer,
  receivedAt = new Date(),
): Promise<{ outcome: Exclude<IngestOutcome, { status: 'rejected' }>; actions?: HookActionResult }> {
  const { db } = deps;
  const delivery = await verifyDelivery(db, deps.box, hookId, headers, rawBody, receivedAt);
  const planned = planHookActions(delivery);
  if (planned.length > 0) await checkHookActions(db, delivery.workspaceId, delivery.mapping.actions);
  const outcome = await storeDelivery(db, delivery);
  if (planned.length === 0) return { outcome };
  const actions = await applyHookActions(
    deps,
    delivery,
    planned,
    outcome.status === 'stored' ? outcome.contactId : undefined,
  );
  return { outcome, actions };
}
