import { eq } from 'drizzle-orm';
import { devOutbox } from '../../../connectors';
import type { Db } from '../../../db';
import { messages } from '../../../db/schema';
import type { AccountEmail } from '../../identity/account-mail';
import type { SecretBox } from '../../identity/secret-box';
import { resolveChannel } from '../channels/channel-settings';

/**
 * Sends an account email (invitation, password reset) through the workspace's email channel,
 * transactional and outside any journey; with no provider configured the dev outbox captures it,
 * visible at `GET /v1/dev/outbox`.
 */
export async function sendAccountEmail(db: Db, box: SecretBox, email: AccountEmail): Promise<void> {
  const channel = await resolveChannel(db, box, email.workspaceId, 'email');
  const connector = channel?.connector ?? devOutbox;
  const [row] = await db
    .insert(messages)
    .values({
      workspaceId: email.workspaceId,
      idempotencyKey: email.idempotencyKey,
      channel: 'email',
      transactional: true,
      status: 'queued',
      provider: connector.id,
      recipient: email.to,
      subject: email.subject,
      body: email.text,
      payload: { account: true },
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return;
  try {
    const sent = await connector.send(
      {
        messageId: row.id,
        idempotencyKey: email.idempotencyKey,
        channel: 'email',
        recipient: email.to,
        subject: email.subject,
        text: email.text,
      },
      { config: channel?.config ?? {}, cache: new Map() },
    );
    await db.update(messages).set({ status: sent.status, providerId: sent.providerId }).where(eqId(row.id));
  } catch (error) {
    await db
      .update(messages)
      .set({ status: 'failed', reason: (error as Error).message })
      .where(eqId(row.id));
  }
}

const eqId = (id: string) => eq(messages.id, id);
