import { createHash } from 'node:crypto';
import { and, eq, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { contacts, messages } from '../../../db/schema';
import type { ChannelDeps } from '../channels/deps';
import { createToken, verifyToken } from '../links/tokens';
import { advanceStatus, type MessageRow } from '../messages/ledger';
import { normalizeAddress, suppress } from '../policy/suppression';
import { recordContactEvent } from './contact-events';

/**
 * What an email provider reports: a bounce (hard: the address does not exist; soft: try later)
 * or a complaint (the recipient marked the message as spam). Most providers can post JSON to a
 * URL; their own formats map onto this one in a few lines of glue.
 */
export const bounceReport = z.object({
  type: z.enum(['bounce', 'complaint']),
  recipient: z.email().max(500).describe('The address that bounced or complained'),
  bounceType: z.enum(['hard', 'soft']).default('hard').describe('Only hard bounces suppress the address'),
  messageId: z
    .string()
    .max(500)
    .optional()
    .describe('The Message-ID header of the email (or its Wayline message id), when known'),
  id: z
    .string()
    .max(200)
    .optional()
    .describe("The provider's notification id: a repeated report counts once"),
  diagnostic: z.string().max(2000).optional().describe("The receiving server's answer"),
});

export type BounceReport = z.infer<typeof bounceReport>;

/** The secret intake URL of a workspace's email bounces and complaints, to give to the provider. */
export function bounceIntakeUrl(deps: ChannelDeps, workspaceId: string): string {
  const token = createToken(deps.box, { k: 'b', w: workspaceId, m: 'email' });
  return `${deps.publicUrl.replace(/\/$/, '')}/t/bounce/${token}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findEmailMessage(deps: ChannelDeps, workspaceId: string, id: string) {
  const [row] = await deps.db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.channel, 'email'),
        UUID.test(id) ? or(eq(messages.providerId, id), eq(messages.id, id)) : eq(messages.providerId, id),
      ),
    );
  return row as MessageRow | undefined;
}

/** The contacts the report is about: the message's, else every contact with that address. */
async function contactsOf(deps: ChannelDeps, workspaceId: string, address: string, message?: MessageRow) {
  if (message?.contactId) return [message.contactId];
  const rows = await deps.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), sql`lower(${contacts.email}) = ${address}`));
  return rows.map((r) => r.id);
}

/**
 * Takes a bounce or complaint: a hard bounce or a complaint puts the address on the suppression
 * list (every later send to it, transactional ones too, is suppressed), a bounced message moves
 * to `bounced`, and the contact gets an `Email Bounced` / `Email Marked as Spam` event.
 */
export async function recordBounce(
  deps: ChannelDeps,
  raw: string,
  report: BounceReport,
): Promise<{ suppressed: string | null; messageId: string | null; contacts: number }> {
  const token = verifyToken(deps.box, raw, 'b');
  const workspaceId = token.w;
  const address = normalizeAddress('email', report.recipient);
  const message = report.messageId ? await findEmailMessage(deps, workspaceId, report.messageId) : undefined;
  const permanent = report.type === 'complaint' || report.bounceType === 'hard';
  const reason = report.type === 'complaint' ? 'complaint' : 'hard-bounce';
  if (permanent) await suppress(deps.db, workspaceId, 'email', address, reason);
  if (message && report.type === 'bounce' && permanent) {
    const why = `hard bounce${report.diagnostic ? `: ${report.diagnostic}` : ''}`;
    await advanceStatus(deps.db, workspaceId, message.id, 'bounced', why.slice(0, 500));
  }
  const key = createHash('sha256')
    .update(report.id ?? `${report.type}:${report.bounceType}:${address}:${report.messageId ?? ''}`)
    .digest('hex')
    .slice(0, 24);
  const contactIds = await contactsOf(deps, workspaceId, address, message);
  for (const contactId of contactIds) {
    await recordContactEvent(deps, {
      workspaceId,
      contactId,
      messageId: `${report.type}:${key}:${contactId}`,
      name: report.type === 'complaint' ? 'Email Marked as Spam' : 'Email Bounced',
      properties: {
        address,
        ...(report.type === 'bounce' ? { bounceType: report.bounceType } : {}),
        messageId: message?.id ?? null,
        journeyId: message?.journeyId ?? null,
        nodeId: message?.nodeId ?? null,
        diagnostic: report.diagnostic ?? null,
      },
    });
  }
  return {
    suppressed: permanent ? reason : null,
    messageId: message?.id ?? null,
    contacts: contactIds.length,
  };
}
