import { and, asc, desc, eq, ilike, inArray, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import {
  contacts,
  DEAL_STATUSES,
  dealContacts,
  dealNotes,
  dealStageHistory,
  dealStages,
  deals,
  memberships,
  pipelines,
  users,
} from '../../../db/schema';
import type { Tx } from '../../audience/ingest/tx';
import { InvalidInput, NotFound } from '../../errors';
import { DEAL_CREATED, DEAL_STAGE_CHANGED, type DealEventProperties, storeDealEvents } from './deal-events';
import type { StageRow } from './pipelines';

export type DealRow = typeof deals.$inferSelect;

export interface DealContact {
  id: string;
  email: string | null;
  externalId: string | null;
}

export interface DealOwner {
  userId: string;
  name: string;
  email: string;
}

export type DealView = DealRow & { stageName: string; contacts: DealContact[]; owner: DealOwner | null };

const isoDate = z.iso.date().describe('A calendar date, YYYY-MM-DD');

export const dealInputSchema = z.object({
  title: z.string().trim().min(1).max(200),
  pipelineId: z.uuid(),
  stageId: z.uuid().optional().describe("The pipeline's first stage when absent"),
  value: z.number().min(0).max(1e15).default(0),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code, e.g. EUR')
    .default('EUR'),
  ownerUserId: z.uuid().nullable().optional().describe('A member of the workspace'),
  contactIds: z.array(z.uuid()).max(50).default([]),
  expectedCloseDate: isoDate.nullable().optional(),
});

export const dealPatchSchema = dealInputSchema
  .omit({ pipelineId: true })
  .partial()
  .extend({
    value: z.number().min(0).max(1e15).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code, e.g. EUR')
      .optional(),
    contactIds: z.array(z.uuid()).max(50).optional().describe('Replaces the deal contacts'),
    stageId: z.uuid().optional().describe('A stage of the same pipeline'),
  });

export const dealListQuerySchema = z.object({
  pipelineId: z.uuid().optional(),
  stageId: z.uuid().optional(),
  ownerUserId: z.uuid().optional(),
  contactId: z.uuid().optional(),
  status: z.enum(DEAL_STATUSES).optional(),
  q: z.string().max(200).optional().describe('Part of the title'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export type DealInput = z.input<typeof dealInputSchema>;
export type DealPatch = z.infer<typeof dealPatchSchema>;
export type DealListQuery = z.input<typeof dealListQuerySchema>;

/** Who makes a change: the signed-in user, or nobody in particular (a key, a journey, a hook). */
export interface DealActor {
  userId: string | null;
}

export interface CreateDealOptions {
  /** A hook delivery or node visit: creating again with the same key returns the first deal. */
  sourceKey?: string;
  at?: Date;
}

export async function createDeal(
  db: Db,
  workspaceId: string,
  rawInput: DealInput,
  actor: DealActor,
  options: CreateDealOptions = {},
): Promise<DealView> {
  const input = dealInputSchema.parse(rawInput);
  const at = options.at ?? new Date();
  if (options.sourceKey) {
    const existing = await findBySource(db, workspaceId, options.sourceKey);
    if (existing) return getDeal(db, workspaceId, existing.id);
  }
  const id = await db.transaction(async (tx) => {
    const [pipeline] = await tx
      .select()
      .from(pipelines)
      .where(and(eq(pipelines.workspaceId, workspaceId), eq(pipelines.id, input.pipelineId)));
    if (!pipeline)
      throw new InvalidInput(
        'pipeline_not_found',
        `Pipeline ${input.pipelineId} does not exist`,
        'pipelineId',
      );
    const stages = await stagesOf(tx, workspaceId, pipeline.id);
    const stage = input.stageId ? stages.find((s) => s.id === input.stageId) : stages[0];
    if (!stage)
      throw new InvalidInput(
        'stage_not_in_pipeline',
        `Stage ${input.stageId} is not a stage of pipeline ${pipeline.name}`,
        'stageId',
      );
    if (input.ownerUserId) await checkOwner(tx, workspaceId, input.ownerUserId);
    const contactIds = await checkContacts(tx, workspaceId, input.contactIds);
    const [row] = await tx
      .insert(deals)
      .values({
        workspaceId,
        pipelineId: pipeline.id,
        stageId: stage.id,
        title: input.title,
        value: input.value,
        currency: input.currency,
        ownerUserId: input.ownerUserId ?? null,
        expectedCloseDate: input.expectedCloseDate ?? null,
        status: statusOf(stage),
        stageEnteredAt: at,
        closedAt: statusOf(stage) === 'open' ? null : at,
        sourceKey: options.sourceKey ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning();
    if (contactIds.length > 0)
      await tx
        .insert(dealContacts)
        .values(contactIds.map((contactId) => ({ workspaceId, dealId: row.id, contactId })));
    await tx.insert(dealStageHistory).values({
      workspaceId,
      dealId: row.id,
      stageId: stage.id,
      enteredAt: at,
      changedByUserId: actor.userId,
    });
    await storeDealEvents(
      tx,
      workspaceId,
      contactIds,
      DEAL_CREATED,
      'created',
      eventProperties(row, stage, null),
      at,
    );
    return row.id;
  });
  return getDeal(db, workspaceId, id);
}

/** Moves a deal to another stage of its pipeline; moving to the stage it is in changes nothing. */
export async function moveDeal(
  db: Db,
  workspaceId: string,
  dealId: string,
  stageId: string,
  actor: DealActor,
  at = new Date(),
): Promise<DealView> {
  await db.transaction(async (tx) => {
    const deal = await lockDeal(tx, workspaceId, dealId);
    await moveInTx(tx, deal, stageId, actor, at);
  });
  return getDeal(db, workspaceId, dealId);
}

/** Changes the fields given; a new `stageId` moves the deal as `moveDeal` does, in the same transaction. */
export async function updateDeal(
  db: Db,
  workspaceId: string,
  dealId: string,
  rawPatch: DealPatch,
  actor: DealActor,
  at = new Date(),
): Promise<DealView> {
  const patch = dealPatchSchema.parse(rawPatch);
  await db.transaction(async (tx) => {
    const deal = await lockDeal(tx, workspaceId, dealId);
    if (patch.ownerUserId) await checkOwner(tx, workspaceId, patch.ownerUserId);
    const changes: Partial<typeof deals.$inferInsert> = {};
    if (patch.title !== undefined) changes.title = patch.title;
    if (patch.value !== undefined) changes.value = patch.value;
    if (patch.currency !== undefined) changes.currency = patch.currency;
    if (patch.ownerUserId !== undefined) changes.ownerUserId = patch.ownerUserId;
    if (patch.expectedCloseDate !== undefined) changes.expectedCloseDate = patch.expectedCloseDate;
    if (patch.contactIds !== undefined) {
      const contactIds = await checkContacts(tx, workspaceId, patch.contactIds);
      await tx.delete(dealContacts).where(eq(dealContacts.dealId, dealId));
      if (contactIds.length > 0)
        await tx
          .insert(dealContacts)
          .values(contactIds.map((contactId) => ({ workspaceId, dealId, contactId })));
    }
    let current = deal;
    if (Object.keys(changes).length > 0) {
      [current] = await tx
        .update(deals)
        .set({ ...changes, updatedAt: at })
        .where(eq(deals.id, dealId))
        .returning();
    }
    if (patch.stageId !== undefined) await moveInTx(tx, current, patch.stageId, actor, at);
  });
  return getDeal(db, workspaceId, dealId);
}

async function moveInTx(tx: Tx, deal: DealRow, stageId: string, actor: DealActor, at: Date): Promise<void> {
  if (deal.stageId === stageId) return;
  const stages = await stagesOf(tx, deal.workspaceId, deal.pipelineId);
  const target = stages.find((s) => s.id === stageId);
  if (!target)
    throw new InvalidInput(
      'stage_not_in_pipeline',
      `Stage ${stageId} is not a stage of this deal's pipeline`,
      'stageId',
    );
  const previous = stages.find((s) => s.id === deal.stageId) ?? null;
  const status = statusOf(target);
  await tx
    .update(dealStageHistory)
    .set({ leftAt: at })
    .where(and(eq(dealStageHistory.dealId, deal.id), isNull(dealStageHistory.leftAt)));
  const [stay] = await tx
    .insert(dealStageHistory)
    .values({
      workspaceId: deal.workspaceId,
      dealId: deal.id,
      stageId: target.id,
      fromStageId: deal.stageId,
      enteredAt: at,
      changedByUserId: actor.userId,
    })
    .returning({ id: dealStageHistory.id });
  const [moved] = await tx
    .update(deals)
    .set({
      stageId: target.id,
      status,
      stageEnteredAt: at,
      closedAt: status === 'open' ? null : at,
      updatedAt: at,
    })
    .where(eq(deals.id, deal.id))
    .returning();
  const contactIds = (
    await tx.select({ id: dealContacts.contactId }).from(dealContacts).where(eq(dealContacts.dealId, deal.id))
  ).map((r) => r.id);
  await storeDealEvents(
    tx,
    deal.workspaceId,
    contactIds,
    DEAL_STAGE_CHANGED,
    `stage:${stay.id}`,
    eventProperties(moved, target, previous),
    at,
  );
}

export async function deleteDeal(db: Db, workspaceId: string, dealId: string): Promise<void> {
  const rows = await db
    .delete(deals)
    .where(and(eq(deals.workspaceId, workspaceId), eq(deals.id, dealId)))
    .returning({ id: deals.id });
  if (rows.length === 0) throw new NotFound('Deal', dealId);
}

export async function getDeal(db: Db, workspaceId: string, dealId: string): Promise<DealView> {
  const [view] = await dealViews(db, workspaceId, [eq(deals.id, dealId)], 1);
  if (!view) throw new NotFound('Deal', dealId);
  return view;
}

export async function listDeals(
  db: Db,
  workspaceId: string,
  rawQuery: DealListQuery = {},
): Promise<DealView[]> {
  const query = dealListQuerySchema.parse(rawQuery);
  const where: SQL[] = [];
  if (query.pipelineId) where.push(eq(deals.pipelineId, query.pipelineId));
  if (query.stageId) where.push(eq(deals.stageId, query.stageId));
  if (query.ownerUserId) where.push(eq(deals.ownerUserId, query.ownerUserId));
  if (query.status) where.push(eq(deals.status, query.status));
  if (query.q) where.push(ilike(deals.title, `%${query.q.replace(/[\\%_]/g, '\\$&')}%`));
  if (query.contactId) {
    const ids = db
      .select({ id: dealContacts.dealId })
      .from(dealContacts)
      .where(and(eq(dealContacts.workspaceId, workspaceId), eq(dealContacts.contactId, query.contactId)));
    where.push(inArray(deals.id, ids));
  }
  return dealViews(db, workspaceId, where, query.limit);
}

async function dealViews(db: Db, workspaceId: string, where: SQL[], limit: number): Promise<DealView[]> {
  const rows = await db
    .select({
      deal: deals,
      stageName: dealStages.name,
      owner: { userId: users.id, name: users.name, email: users.email },
    })
    .from(deals)
    .innerJoin(dealStages, eq(dealStages.id, deals.stageId))
    .leftJoin(users, eq(users.id, deals.ownerUserId))
    .where(and(eq(deals.workspaceId, workspaceId), ...where))
    .orderBy(desc(deals.updatedAt), asc(deals.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const links = await db
    .select({
      dealId: dealContacts.dealId,
      id: contacts.id,
      email: contacts.email,
      externalId: contacts.externalId,
    })
    .from(dealContacts)
    .innerJoin(contacts, eq(contacts.id, dealContacts.contactId))
    .where(
      and(
        eq(dealContacts.workspaceId, workspaceId),
        inArray(
          dealContacts.dealId,
          rows.map((r) => r.deal.id),
        ),
      ),
    )
    .orderBy(asc(dealContacts.createdAt), asc(contacts.id));
  return rows.map(({ deal, stageName, owner }) => ({
    ...deal,
    stageName,
    owner: owner?.userId ? (owner as DealOwner) : null,
    contacts: links
      .filter((l) => l.dealId === deal.id)
      .map(({ id, email, externalId }) => ({ id, email, externalId })),
  }));
}

export async function addDealNote(
  db: Db,
  workspaceId: string,
  dealId: string,
  body: string,
  actor: DealActor,
  at = new Date(),
) {
  await getDeal(db, workspaceId, dealId);
  const [note] = await db
    .insert(dealNotes)
    .values({ workspaceId, dealId, body, authorUserId: actor.userId, createdAt: at })
    .returning();
  await db.update(deals).set({ updatedAt: at }).where(eq(deals.id, dealId));
  return { ...note, authorName: await authorName(db, actor.userId) };
}

async function authorName(db: Db, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const [user] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId));
  return user ? user.name || user.email : null;
}

export async function listDealNotes(db: Db, workspaceId: string, dealId: string) {
  await getDeal(db, workspaceId, dealId);
  const rows = await db
    .select({ note: dealNotes, name: users.name, email: users.email })
    .from(dealNotes)
    .leftJoin(users, eq(users.id, dealNotes.authorUserId))
    .where(and(eq(dealNotes.workspaceId, workspaceId), eq(dealNotes.dealId, dealId)))
    .orderBy(desc(dealNotes.createdAt), desc(dealNotes.id));
  return rows.map((r) => ({ ...r.note, authorName: r.name || r.email || null }));
}

/** Every stay of the deal in a stage, oldest first. */
export async function listStageHistory(db: Db, workspaceId: string, dealId: string) {
  await getDeal(db, workspaceId, dealId);
  const rows = await db
    .select({ stay: dealStageHistory, stageName: dealStages.name })
    .from(dealStageHistory)
    .innerJoin(dealStages, eq(dealStages.id, dealStageHistory.stageId))
    .where(and(eq(dealStageHistory.workspaceId, workspaceId), eq(dealStageHistory.dealId, dealId)))
    .orderBy(asc(dealStageHistory.enteredAt), asc(dealStageHistory.id));
  return rows.map((r) => ({ ...r.stay, stageName: r.stageName }));
}

/** Members a deal can be given to (the owner picker). */
export async function listDealOwners(db: Db, workspaceId: string) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), isNull(users.disabledAt)))
    .orderBy(asc(users.email));
}

function statusOf(stage: StageRow): DealRow['status'] {
  return stage.closedWon ? 'won' : stage.closedLost ? 'lost' : 'open';
}

function eventProperties(deal: DealRow, stage: StageRow, previous: StageRow | null): DealEventProperties {
  return {
    dealId: deal.id,
    title: deal.title,
    pipelineId: deal.pipelineId,
    stageId: stage.id,
    stage: stage.name,
    previousStageId: previous?.id ?? null,
    previousStage: previous?.name ?? null,
    value: deal.value,
    currency: deal.currency,
    status: deal.status,
    ownerUserId: deal.ownerUserId,
  };
}

async function stagesOf(tx: Tx, workspaceId: string, pipelineId: string): Promise<StageRow[]> {
  return tx
    .select()
    .from(dealStages)
    .where(and(eq(dealStages.workspaceId, workspaceId), eq(dealStages.pipelineId, pipelineId)))
    .orderBy(asc(dealStages.position));
}

async function lockDeal(tx: Tx, workspaceId: string, dealId: string): Promise<DealRow> {
  const [deal] = await tx
    .select()
    .from(deals)
    .where(and(eq(deals.workspaceId, workspaceId), eq(deals.id, dealId)))
    .for('update');
  if (!deal) throw new NotFound('Deal', dealId);
  return deal;
}

async function findBySource(db: Db, workspaceId: string, sourceKey: string) {
  const [row] = await db
    .select({ id: deals.id })
    .from(deals)
    .where(and(eq(deals.workspaceId, workspaceId), eq(deals.sourceKey, sourceKey)));
  return row;
}

/** Refuses an owner who is not a member of the workspace, naming `ownerUserId`. */
export async function checkOwner(tx: Tx | Db, workspaceId: string, userId: string): Promise<void> {
  const [member] = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  if (!member)
    throw new InvalidInput(
      'owner_not_member',
      `User ${userId} is not a member of this workspace`,
      'ownerUserId',
    );
}

async function checkContacts(tx: Tx, workspaceId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = new Set(
    (
      await tx
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, unique)))
    ).map((r) => r.id),
  );
  const missing = ids.findIndex((id) => !found.has(id));
  if (missing >= 0)
    throw new InvalidInput(
      'contact_not_found',
      `Contact ${ids[missing]} does not exist`,
      `contactIds.${missing}`,
    );
  return unique;
}
